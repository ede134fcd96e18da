// npm run bench: every bench script, one after the other.
await import('./startup.js');
await import('./pull.js');
await import('./containers.js');

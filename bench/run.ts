// npm run bench: every bench script, one after the other.
import './startup.js';

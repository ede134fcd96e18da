// Docker's "Are you sure you want to continue? [y/N]" before a destructive prune.

import { readlinePromises } from '../lazy-node.js';

export async function confirm(warning: string): Promise<boolean> {
  process.stderr.write(`${warning}\n`);
  const prompt = readlinePromises().createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) });
  try {
    const answer = await prompt.question('Are you sure you want to continue? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false; // stdin closed without an answer
  } finally {
    prompt.close();
  }
}

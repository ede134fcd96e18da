// `inspect`-style output: a JSON array of every object found (4-space indent, Go's escaping),
// or a template per object; objects not found are reported after, and the exit code is 1.

import { forEachTarget } from '../cli/targets.js';
import { formatOne } from './output.js';

/** Go's encoding/json escapes these inside strings; in JSON text they occur only inside strings. */
export function goIndentedJSON(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export async function printInspect<T>(names: readonly string[], fetch: (name: string) => Promise<T>, format?: string): Promise<void> {
  const found: T[] = [];
  try {
    await forEachTarget(names, async (name) => {
      found.push(await fetch(name));
    });
  } finally {
    if (format) {
      for (const object of found) process.stdout.write(formatOne(object, format));
    } else {
      process.stdout.write(`${goIndentedJSON(found)}\n`);
    }
  }
}

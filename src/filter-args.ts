// Docker's `--filter key=value` arguments, split as its CLI splits them (filters.ParseFlag: the
// key lower-cased, both sides trimmed) and checked as its daemon checks them. Every command's
// filters start here; what a value means is each command's own business.

import { BerthError, usageError } from './errors.js';

/** Values by key, in the order given; a key outside `keys` is the daemon's `invalid filter`. */
export function parseFilterArgs(values: readonly string[], keys: ReadonlySet<string>): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const value of values) {
    const equals = value.indexOf('=');
    const key = value.slice(0, Math.max(equals, 0)).trim().toLowerCase();
    if (equals === -1 || key === '') throw usageError('bad format of filter (expected name=value)');
    if (!keys.has(key)) throw new BerthError('invalid-argument', `invalid filter '${key}'`);
    filters.set(key, [...(filters.get(key) ?? []), value.slice(equals + 1).trim()]);
  }
  return filters;
}

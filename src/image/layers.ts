// Layer identities: chain IDs name the snapshot of a layer stacked on all layers below it.

import { createHash } from 'node:crypto';

/** chain[0] = diff_id[0]; chain[n] = sha256(chain[n-1] + " " + diff_id[n]) */
export function chainIds(diffIds: readonly string[]): string[] {
  const chain: string[] = [];
  for (const diffId of diffIds) {
    const previous = chain[chain.length - 1];
    chain.push(previous === undefined ? diffId : `sha256:${createHash('sha256').update(`${previous} ${diffId}`).digest('hex')}`);
  }
  return chain;
}

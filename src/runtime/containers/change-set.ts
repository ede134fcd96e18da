// `diff`'s list, Docker's way, from two tar layers the Diff service made: the container's
// rootfs over its image (forward) and the image over the container (reverse). A whiteout in
// the forward layer is a deletion; one in the reverse layer is an addition (the path is not in
// the image); any other forward entry changed something the image had. The differ also writes
// the unchanged parent directories of every change, which Docker does not list unless their
// own metadata changed or a child was added or deleted.

import { posix } from 'node:path';

export type ChangeKind = 'A' | 'C' | 'D';

export interface Change {
  readonly kind: ChangeKind;
  /** absolute, as Docker prints it */
  readonly path: string;
}

/** One tar header, as much of it as the comparison needs. */
export interface LayerEntry {
  /** as in the tar: relative, directories may end in `/` */
  readonly path: string;
  readonly directory: boolean;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** seconds since the epoch */
  readonly mtime: number;
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';

interface Layer {
  readonly entries: Map<string, LayerEntry>;
  readonly whiteouts: Set<string>;
}

function readLayer(entries: Iterable<LayerEntry>): Layer {
  const layer: Layer = { entries: new Map(), whiteouts: new Set() };
  for (const entry of entries) {
    const path = posix.normalize(entry.path.replace(/^\.?\/+/, '')).replace(/\/+$/, '');
    if (path === '.' || path === '') continue;
    const name = posix.basename(path);
    if (name === OPAQUE) continue;
    if (name.startsWith(WHITEOUT_PREFIX)) layer.whiteouts.add(posix.join(posix.dirname(path), name.slice(WHITEOUT_PREFIX.length)).replace(/^\.\//, ''));
    else layer.entries.set(path, entry);
  }
  return layer;
}

/** `path` and each of its parent directories, deepest first. */
function selfAndAncestors(path: string): string[] {
  const result: string[] = [];
  for (let current = path; current !== '.' && current !== ''; current = posix.dirname(current)) result.push(current);
  return result;
}

/** Docker's order: a walk of the tree, names sorted within each directory. */
export function compareChangePaths(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    if (left[index] !== right[index]) return left[index] < right[index] ? -1 : 1;
  }
  return left.length - right.length;
}

/**
 * The changes Docker's `diff` lists. `mountPoints` are paths (relative) where the runtime
 * mounts something (/proc, /etc/hosts …): the empty files and directories it had to create
 * for them are not the container's doing, as Docker keeps them in a layer of their own.
 */
export function changeSet(forward: Iterable<LayerEntry>, reverse: Iterable<LayerEntry>, mountPoints: readonly string[] = []): Change[] {
  const after = readLayer(forward);
  const before = readLayer(reverse);
  const added = (path: string) => selfAndAncestors(path).some((candidate) => before.whiteouts.has(candidate));
  const mounts = new Set(mountPoints.map((path) => path.replace(/^\/+/, '').replace(/\/+$/, '')));
  const runtimeMade = (path: string) => selfAndAncestors(path).some((candidate) => mounts.has(candidate) && added(candidate));
  const hasRuntimeMadeChild = new Set([...mounts].filter((path) => after.entries.has(path) && added(path)).map((path) => posix.dirname(path)));

  const changes = new Map<string, ChangeKind>();
  for (const path of after.whiteouts) {
    if (!selfAndAncestors(path).slice(1).some((ancestor) => after.whiteouts.has(ancestor))) changes.set(path, 'D');
  }
  for (const [path, entry] of after.entries) {
    if (runtimeMade(path)) continue;
    if (added(path)) {
      changes.set(path, 'A');
      continue;
    }
    const old = before.entries.get(path);
    if (entry.directory && old?.directory) {
      const sameOwner = entry.mode === old.mode && entry.uid === old.uid && entry.gid === old.gid;
      if (sameOwner && (entry.mtime === old.mtime || hasRuntimeMadeChild.has(path))) continue;
    }
    changes.set(path, 'C');
  }
  // a directory whose entries were added or deleted is changed, whatever its metadata says
  for (const [path, kind] of [...changes]) {
    const parent = posix.dirname(path);
    if ((kind === 'A' || kind === 'D') && parent !== '.' && !changes.has(parent)) changes.set(parent, 'C');
  }
  return [...changes]
    .sort(([a], [b]) => compareChangePaths(a, b))
    .map(([path, kind]) => ({ kind, path: `/${path}` }));
}

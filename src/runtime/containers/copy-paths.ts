// `docker cp`'s path rules, as pure functions: which side is the container, what a trailing
// `/` or `/.` asserts, and — from what the source is and what the destination already is —
// which directory the archive is extracted into and what its top entry is called there.

import { posix } from 'node:path';
import { BerthError, usageError } from '../../errors.js';

export type CopyEnd = { readonly container: string; readonly path: string } | { readonly container?: undefined; readonly path: string };

/**
 * `CONTAINER:PATH` or a local path. An absolute path, or one whose part before the first `:`
 * starts with `.` (`./file:name.txt`), is local: that is how a local name with `:` is written.
 */
export function splitCopyArgument(arg: string): CopyEnd {
  if (arg.startsWith('/')) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon === -1 || arg.startsWith('.')) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

export type CopyDirection =
  | { readonly direction: 'from'; readonly container: string; readonly source: string; readonly destination: string }
  | { readonly direction: 'to'; readonly container: string; readonly source: string; readonly destination: string };

/** Docker's checks on the two arguments, in Docker's order and with its messages. */
export function copyDirection(source: string, destination: string): CopyDirection {
  if (source === '') throw usageError('source can not be empty');
  if (destination === '') throw usageError('destination can not be empty');
  const from = splitCopyArgument(source);
  const to = splitCopyArgument(destination);
  if (from.container !== undefined && to.container !== undefined) throw new BerthError('invalid-argument', 'copying between containers is not supported');
  if (from.container !== undefined) return { direction: 'from', container: from.container, source: from.path, destination: to.path };
  if (to.container !== undefined) return { direction: 'to', container: to.container, source: from.path, destination: to.path };
  throw new BerthError('invalid-argument', 'must specify at least one container source');
}

export const hasTrailingSeparator = (path: string): boolean => path.length > 0 && path.endsWith('/');

/** `dir/.` or `.`: the directory's content rather than the directory. */
export const specifiesCurrentDir = (path: string): boolean => posix.basename(path) === '.' && (path === '.' || path.endsWith('/.'));

/** The path can only name a directory. */
export const assertsDirectory = (path: string): boolean => hasTrailingSeparator(path) || specifiesCurrentDir(path);

/** filepath.Clean, then the trailing `/.` or `/` of `original` put back: they carry meaning here. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let path = cleaned;
  if (specifiesCurrentDir(original) && !specifiesCurrentDir(path)) path = path.endsWith('/') ? `${path}.` : `${path}/.`;
  if (hasTrailingSeparator(original) && !hasTrailingSeparator(path)) path += '/';
  return path;
}

/** A container path as the daemon takes it: relative to `/`, trailing `/` and `/.` kept. */
export function absoluteContainerPath(path: string): string {
  return preserveTrailingDotOrSeparator(posix.join('/', path), path);
}

/** A local path made absolute against the working directory, trailing `/` and `/.` kept. */
export function absoluteLocalPath(path: string, cwd: string): string {
  return preserveTrailingDotOrSeparator(posix.resolve(cwd, path), path);
}

/** The parent and the entry a path names; `dir/.` names the entry `.` in `dir`. */
export function splitPathDirEntry(path: string): { dir: string; base: string } {
  let cleaned = posix.normalize(path);
  if (cleaned.length > 1 && cleaned.endsWith('/')) cleaned = cleaned.slice(0, -1);
  if (specifiesCurrentDir(path)) cleaned = cleaned === '/' ? '/.' : `${cleaned}/.`;
  return { dir: posix.dirname(cleaned), base: posix.basename(cleaned) || '/' };
}

/**
 * After a symlink in `path` resolved to `resolved`: `resolved` with the trailing `/` or `/.` of
 * `path`, and the name the archive's top entry must take back when the last component changed.
 */
export function rebaseAfterSymlink(path: string, resolved: string): { path: string; rebaseName?: string } {
  let result = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(result)) result += '/.';
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(result)) result += '/';
  const name = posix.basename(path);
  return name === posix.basename(result) ? { path: result } : { path: result, rebaseName: name };
}

export interface CopySource {
  /** the path as resolved for reading, trailing `/.` kept */
  readonly path: string;
  readonly isDir: boolean;
  /** the name the top entry takes instead of the source's own (`-L` through a symlink) */
  readonly rebaseName?: string;
}

export interface CopyDestination {
  readonly path: string;
  readonly exists: boolean;
  readonly isDir: boolean;
}

export interface CopyPlan {
  /** the existing directory the archive is extracted into */
  readonly extractDir: string;
  /** the archive's top entry: a name, or `.` for a directory's content */
  readonly entryName: string;
}

/** The top entry's name in the archive of `source`: the entry it names, `.` for `dir/.` and `/`. */
export function sourceEntryName(source: CopySource): string {
  if (source.rebaseName) return source.rebaseName;
  const { base } = splitPathDirEntry(source.path);
  return base === '/' ? '.' : base;
}

/** docker's PrepareArchiveCopy: where to extract, and under which name, or Docker's error. */
export function planCopy(source: CopySource, destination: CopyDestination): CopyPlan {
  const { dir, base } = splitPathDirEntry(destination.path);
  if (destination.exists && destination.isDir) return { extractDir: destination.path, entryName: sourceEntryName(source) };
  if (destination.exists && source.isDir) throw new BerthError('invalid-argument', 'cannot copy directory');
  if (!destination.exists && !source.isDir && assertsDirectory(destination.path)) throw new BerthError('not-found', 'no such directory');
  return { extractDir: dir, entryName: base };
}

// Names of image records as users see them, and the name an image without a tag gets.

import type { Reference } from './reference.js';

/**
 * containerd's image store needs a name for every image record, but `berth import` without a
 * repository, or an untagged image in a loaded archive, has none. Such an image is recorded as
 * `<none>@<target digest>`: nerdctl names the untagged images it builds the same way (BuildKit's
 * dangling-name-prefix `<none>`), Docker's containerd store uses `moby-dangling@<digest>`. `<none>`
 * is not a valid repository name, so the record can never be taken for, or collide with, a
 * reference a user types; `images` shows it as `<none>:<none>` and it is found by its ID.
 */
const UNTAGGED_PREFIX = '<none>@';

export function untaggedImageName(targetDigest: string): string {
  return `${UNTAGGED_PREFIX}${targetDigest}`;
}

export function isUntaggedImageName(name: string): boolean {
  return name.startsWith(UNTAGGED_PREFIX);
}

/** A reference as Docker prints it in messages: `busybox:latest`, `127.0.0.1:5000/x@sha256:…`. */
export function familiarReference(reference: Reference): string {
  const tag = reference.tag === undefined ? '' : `:${reference.tag}`;
  const digest = reference.digest === undefined ? '' : `@${reference.digest}`;
  return `${reference.familiar}${tag}${digest}`;
}

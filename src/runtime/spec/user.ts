// Resolving `--user` and `--group-add` against the image's /etc/passwd and /etc/group, the way
// Docker (moby/sys/user) does. The files are passed in as text so this stays pure; a missing
// file is an empty string.

import { usageError } from '../../errors.js';
import type { Spec } from './types.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2 ** 31 - 1;

/** The lines of a colon-separated database that have at least `fields` fields; comments skipped. */
function records(text: string, fields: number): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'))
    .filter((parts) => parts.length >= fields);
}

/** A decimal id, or undefined for anything else (a name). */
function numericId(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function checkedId(id: number): number {
  if (id > MAX_ID) throw usageError(`uids and gids must be in range 0-${MAX_ID}`);
  return id;
}

export function parsePasswd(text: string): PasswdEntry[] {
  return records(text, 6).flatMap(([name, , uid, gid, , home]) => {
    const u = numericId(uid);
    const g = numericId(gid);
    return u === undefined || g === undefined ? [] : [{ name, uid: u, gid: g, home }];
  });
}

export function parseGroup(text: string): GroupEntry[] {
  return records(text, 3).flatMap(([name, , gid, members = '']) => {
    const g = numericId(gid);
    const list = members.split(',').map((member) => member.trim()).filter((member) => member !== '');
    return g === undefined ? [] : [{ name, gid: g, members: list }];
  });
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/**
 * `user` is `name`, `uid`, `name:group` or `uid:gid` (empty: root). A name must exist in
 * passwd; a number need not. With no explicit group, the primary gid is the passwd entry's and
 * the supplementary groups are those listing the user as a member; an explicit group replaces
 * both, as in Docker. `groupAdd` entries (names or numbers) are appended.
 */
export function resolveUser(user: string, passwd: string, group: string, groupAdd: readonly string[] = []): ResolvedUser {
  const colon = user.indexOf(':');
  const userArg = colon < 0 ? user : user.slice(0, colon);
  const groupArg = colon < 0 ? '' : user.slice(colon + 1);
  const groups = parseGroup(group);

  const uidArg = numericId(userArg);
  const entry = parsePasswd(passwd).find((candidate) =>
    userArg === '' ? candidate.uid === 0 : uidArg !== undefined ? candidate.uid === uidArg : candidate.name === userArg,
  );
  let uid = 0;
  let gid = 0;
  if (entry) {
    ({ uid, gid } = entry);
  } else if (uidArg !== undefined) {
    uid = checkedId(uidArg);
  } else if (userArg !== '') {
    throw usageError(`unable to find user ${userArg}: no matching entries in passwd file`);
  }

  let additionalGids: number[] = [];
  if (groupArg !== '') {
    const gidArg = numericId(groupArg);
    const found = groups.find((candidate) => (gidArg !== undefined ? candidate.gid === gidArg : candidate.name === groupArg));
    if (found) gid = found.gid;
    else if (gidArg !== undefined) gid = checkedId(gidArg);
    else throw usageError(`unable to find group ${groupArg}: no matching entries in group file`);
  } else if (entry) {
    additionalGids = groups.filter((candidate) => candidate.members.includes(entry.name)).map((candidate) => candidate.gid);
  }

  for (const wanted of groupAdd) {
    const found = groups.find((candidate) => candidate.name === wanted || String(candidate.gid) === wanted);
    const number = numericId(wanted);
    if (found) additionalGids.push(found.gid);
    else if (number !== undefined) additionalGids.push(checkedId(number));
    else throw usageError(`unable to find group ${wanted}: no matching entries in group file`);
  }
  return { uid, gid, additionalGids: [...new Set(additionalGids)] };
}

export function withUser(spec: Spec, user: string, passwd: string, group: string, groupAdd: readonly string[] = []): void {
  const { uid, gid, additionalGids } = resolveUser(user, passwd, group, groupAdd);
  spec.process.user = additionalGids.length > 0 ? { uid, gid, additionalGids } : { uid, gid };
}

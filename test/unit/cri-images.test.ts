// Kubernetes' image records (repo:tag, repo@digest and the bare sha256: ID per image, as
// containerd's CRI plugin writes them) merged into Docker's rows, and what goes with a name.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { criCompanions, criPullNames, isImageIdName, rowPerImage, rowPerRecord, type NamedRecord } from '../../src/image/cri-records.js';
import { parseReference } from '../../src/image/reference.js';

const CONFIG_A = `sha256:${'a'.repeat(64)}`;
const TARGET_A = `sha256:${'1'.repeat(64)}`;
const CONFIG_B = `sha256:${'b'.repeat(64)}`;
const TARGET_B = `sha256:${'2'.repeat(64)}`;

const a = (name: string): NamedRecord => ({ name, configDigest: CONFIG_A, targetDigest: TARGET_A });
const b = (name: string): NamedRecord => ({ name, configDigest: CONFIG_B, targetDigest: TARGET_B });

/** What a CRI pull of 127.0.0.1:5000/app:1 leaves behind. */
const PULLED = [a('127.0.0.1:5000/app:1'), a(`127.0.0.1:5000/app@${TARGET_A}`), a(CONFIG_A)];

const shown = (rows: { repository: string; tag: string; digest: string }[]) => rows.map((row) => `${row.repository} ${row.tag} ${row.digest}`);

describe('rowPerImage (images in k8s.io)', () => {
  it('shows a CRI-pulled image once, by its repo:tag, with the digest of its digest record', () => {
    assert.deepEqual(shown(rowPerImage(PULLED, { digests: false })), [`127.0.0.1:5000/app 1 ${TARGET_A}`]);
    assert.deepEqual(shown(rowPerImage(PULLED, { digests: true })), [`127.0.0.1:5000/app 1 ${TARGET_A}`]);
  });

  it('gives every tag of an image its own row, and a second image its own', () => {
    const records = [...PULLED, a('127.0.0.1:5000/app:latest'), a('docker.io/library/busybox:1'), b('docker.io/library/pause:3'), b(CONFIG_B)];
    assert.deepEqual(shown(rowPerImage(records, { digests: false })).sort(), [
      `127.0.0.1:5000/app 1 ${TARGET_A}`,
      `127.0.0.1:5000/app latest ${TARGET_A}`,
      `busybox 1 ${TARGET_A}`,
      `pause 3 ${TARGET_B}`,
    ]);
  });

  it('shows a repository known only by digests as <none> once, or per digest with --digests', () => {
    const other = `sha256:${'3'.repeat(64)}`;
    const records = [a(`127.0.0.1:5000/app@${TARGET_A}`), a(`127.0.0.1:5000/app@${other}`), a(CONFIG_A)];
    assert.deepEqual(shown(rowPerImage(records, { digests: false })), [`127.0.0.1:5000/app <none> ${TARGET_A}`]);
    assert.deepEqual(shown(rowPerImage(records, { digests: true })), [`127.0.0.1:5000/app <none> ${TARGET_A}`, `127.0.0.1:5000/app <none> ${other}`]);
  });

  it('never shows the ID record as a repository: an image with nothing else is <none>:<none>', () => {
    assert.deepEqual(shown(rowPerImage([b(CONFIG_B)], { digests: false })), [`<none> <none> ${TARGET_B}`]);
  });

  it('keeps the record a row stands for: the tag record for a tag row', () => {
    assert.equal(rowPerImage(PULLED, { digests: false })[0].record.name, '127.0.0.1:5000/app:1');
  });
});

describe('rowPerRecord (other namespaces, --all-records)', () => {
  it('gives each record a row; an ID record and an untagged one are <none>', () => {
    assert.deepEqual(shown(rowPerRecord([...PULLED, b(`<none>@${TARGET_B}`)])), [
      `127.0.0.1:5000/app 1 ${TARGET_A}`,
      `127.0.0.1:5000/app <none> ${TARGET_A}`,
      `<none> <none> ${TARGET_A}`,
      `<none> <none> ${TARGET_B}`,
    ]);
  });
});

describe('criCompanions (rmi in k8s.io)', () => {
  it('takes the digest and ID records along with the last tag', () => {
    assert.deepEqual(criCompanions(PULLED, [PULLED[0]]).map((record) => record.name), [PULLED[1].name, CONFIG_A]);
  });

  it('takes nothing while another tag or another repository names the image', () => {
    assert.deepEqual(criCompanions([...PULLED, a('127.0.0.1:5000/app:2')], [PULLED[0]]), []);
    assert.deepEqual(criCompanions([...PULLED, a(`127.0.0.1:5000/other@${TARGET_A}`)], [PULLED[0]]), []);
  });

  it('leaves other images alone', () => {
    assert.deepEqual(criCompanions([...PULLED, b(CONFIG_B)], [PULLED[0]]).map((record) => record.name), [PULLED[1].name, CONFIG_A]);
  });
});

describe('the names CRI records', () => {
  it('pulled by tag: repo:tag and repo@digest; by digest: repo@digest only', () => {
    assert.deepEqual(criPullNames(parseReference('busybox:1'), TARGET_A), ['docker.io/library/busybox:1', `docker.io/library/busybox@${TARGET_A}`]);
    assert.deepEqual(criPullNames(parseReference(`busybox@${TARGET_A}`), TARGET_A), [`docker.io/library/busybox@${TARGET_A}`]);
    assert.deepEqual(criPullNames(parseReference(`busybox:1@${TARGET_A}`), TARGET_A), [`docker.io/library/busybox@${TARGET_A}`]);
  });

  it('knows an ID record by its exact form', () => {
    assert.equal(isImageIdName(CONFIG_A), true);
    assert.equal(isImageIdName('docker.io/library/sha256:1'), false);
    assert.equal(isImageIdName(`sha256:${'a'.repeat(63)}`), false);
  });
});

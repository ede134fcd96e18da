// A minimal ustar writer for fixture layers. Everything that could vary between
// runs (mtimes, owner names, entry order) is fixed, so a layer built from the same
// entries always has the same bytes and therefore the same digest.

export type TarEntry =
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'file'; path: string; data: Buffer | string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string; uid?: number; gid?: number };

const BLOCK = 512;
/** 2024-01-01T00:00:00Z, the mtime of every entry. */
export const FIXED_MTIME = 1704067200;

/** A tar archive of `entries`, sorted by path so that parents precede their children. */
export function tarball(entries: TarEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const chunks: Buffer[] = [];
  for (const entry of sorted) {
    const data = entry.type === 'file' ? Buffer.from(entry.data) : Buffer.alloc(0);
    chunks.push(header(entry, data.length), data, Buffer.alloc(padding(data.length)));
  }
  chunks.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(chunks);
}

function header(entry: TarEntry, size: number): Buffer {
  const name = entry.type === 'dir' ? `${entry.path}/` : entry.path;
  const mode = entry.type === 'symlink' ? 0o777 : (entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644));
  const h = Buffer.alloc(BLOCK);
  field(h, 0, 100, name);
  field(h, 100, 8, octal(mode, 8));
  field(h, 108, 8, octal(entry.uid ?? 0, 8));
  field(h, 116, 8, octal(entry.gid ?? 0, 8));
  field(h, 124, 12, octal(size, 12));
  field(h, 136, 12, octal(FIXED_MTIME, 12));
  h.fill(' ', 148, 156); // the checksum is computed with its own field as spaces
  field(h, 156, 1, { file: '0', symlink: '2', dir: '5' }[entry.type]);
  if (entry.type === 'symlink') field(h, 157, 100, entry.target);
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  let sum = 0;
  for (const byte of h) sum += byte;
  field(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

function field(h: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value);
  if (bytes.length > length) throw new Error(`tar header field too long: ${JSON.stringify(value)}`);
  bytes.copy(h, offset);
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

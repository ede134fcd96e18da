// Platforms (`linux/arm64/v8`): parsing `--platform`, the host's default, and the order in
// which Docker prefers an index's entries for a wanted platform.

import os from 'node:os';
import { BerthError } from '../errors.js';

// A type alias rather than an interface so that a Platform fits where a descriptor's
// platform (an object open to extra fields) is expected.
export type Platform = {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
};

const KNOWN_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'illumos', 'ios', 'js', 'linux',
  'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows',
]);

const KNOWN_ARCHITECTURES = new Set([
  '386', 'amd64', 'arm', 'arm64', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le',
  'ppc64', 'ppc64le', 'riscv64', 's390x', 'wasm',
]);

const NODE_ARCHITECTURES: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
  riscv64: 'riscv64',
  s390x: 's390x',
};

/**
 * The platform images are pulled for by default. The OS is always linux: containerd runs Linux
 * containers, including on hosts where Node itself reports another OS.
 */
export function hostPlatform(): Platform {
  let architecture = NODE_ARCHITECTURES[process.arch] ?? process.arch;
  if (process.arch === 'ppc64') architecture = os.endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  let variant: string | undefined;
  if (architecture === 'arm') {
    const armVersion = (process.config.variables as Readonly<Record<string, unknown>>).arm_version;
    variant = armVersion === undefined ? undefined : String(armVersion);
  }
  return normalizePlatform({ os: 'linux', architecture, variant });
}

/**
 * Reads `os/arch[/variant]` as `--platform` takes it; a lone known OS or architecture gets the
 * host's value for the other part.
 */
export function parsePlatform(spec: string): Platform {
  const parts = spec.trim().split('/');
  const invalid = (reason: string): BerthError => new BerthError('usage', `invalid platform "${spec}": ${reason}`);
  if (parts.length > 3) throw invalid('expected os/arch[/variant]');
  for (const part of parts) {
    if (!/^[A-Za-z0-9_.-]+$/.test(part)) throw invalid('each part must be letters, digits, "_", "." or "-"');
  }
  if (parts.length === 1) {
    const single = parts[0].toLowerCase();
    const host = hostPlatform();
    if (KNOWN_OS.has(normalizeOS(single))) return normalizePlatform({ ...host, os: single });
    const asArchitecture = normalizePlatform({ os: host.os, architecture: single });
    if (KNOWN_ARCHITECTURES.has(asArchitecture.architecture)) return asArchitecture;
    throw invalid('unknown operating system or architecture');
  }
  const [osName, architecture, variant] = parts;
  return normalizePlatform({ os: osName, architecture, variant });
}

/**
 * Gives the spellings Docker treats as one platform a single form: `aarch64` is `arm64/v8`,
 * `x86_64` is `amd64`, `armhf` is `arm/v7`, a bare `arm` is `arm/v7`.
 */
export function normalizePlatform(platform: Platform): Platform {
  const osName = normalizeOS(platform.os);
  let architecture = platform.architecture.toLowerCase();
  let variant = platform.variant?.toLowerCase() || undefined;
  switch (architecture) {
    case 'i386':
      architecture = '386';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = undefined;
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      variant = armVariant(variant) ?? 'v8';
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      variant = armVariant(variant) ?? 'v7';
      break;
  }
  return variant === undefined ? { os: osName, architecture } : { os: osName, architecture, variant };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

export function samePlatform(a: Platform, b: Platform): boolean {
  const left = normalizePlatform(a);
  const right = normalizePlatform(b);
  return left.os === right.os && left.architecture === right.architecture && left.variant === right.variant;
}

/**
 * The platforms that can run where `wanted` runs, best first: the platform itself, then older
 * variants of it (amd64 v3 runs v2; arm v7 runs v6 and v5), and for 64-bit arm the 32-bit arm
 * variants, which arm64 CPUs execute too.
 */
export function compatiblePlatforms(wanted: Platform): Platform[] {
  const platform = normalizePlatform(wanted);
  const { os: osName, architecture } = platform;
  const result: Platform[] = [platform];
  const level = platform.variant === undefined ? undefined : Number(/^v(\d+)/.exec(platform.variant)?.[1]);
  if (level === undefined || Number.isNaN(level)) return result;
  if (architecture === 'amd64') {
    for (let lower = level - 1; lower >= 2; lower -= 1) result.push({ os: osName, architecture, variant: `v${lower}` });
    result.push({ os: osName, architecture });
  } else if (architecture === 'arm64') {
    for (let lower = level - 1; lower >= 8; lower -= 1) result.push({ os: osName, architecture, variant: `v${lower}` });
    for (let arm = 8; arm >= 5; arm -= 1) result.push({ os: osName, architecture: 'arm', variant: `v${arm}` });
  } else if (architecture === 'arm') {
    for (let lower = level - 1; lower >= 5; lower -= 1) result.push({ os: osName, architecture, variant: `v${lower}` });
  }
  return result;
}

function normalizeOS(value: string): string {
  const lower = value.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/** `8`, `v8` and `v8.0` are one variant. */
function armVariant(variant: string | undefined): string | undefined {
  if (variant === undefined) return undefined;
  const match = /^v?(\d+)(?:\.0)?$/.exec(variant);
  return match ? `v${match[1]}` : variant;
}

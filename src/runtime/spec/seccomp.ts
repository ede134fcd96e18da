// Docker-format seccomp profiles (Docker's default, or /usr/share/containers/seccomp.json) turned
// into the OCI `linux.seccomp` a runtime applies. A Docker profile covers every architecture and
// capability set: its rules name the arches and capabilities they need, and Docker keeps only the
// rules that hold for this host and this container. So this runs after withCapabilities.

import { release } from 'node:os';
import * as z from 'zod/mini';
import { usageError } from '../../errors.js';
import { safeParse } from '../../validation.js';
import type { SeccompSyscall, Spec } from './types.js';

const filterSchema = z.nullish(
  z.object({
    caps: z.nullish(z.array(z.string())),
    arches: z.nullish(z.array(z.string())),
    minKernel: z.nullish(z.string()),
  }),
);

const profileSchema = z.object({
  defaultAction: z.string(),
  defaultErrnoRet: z.nullish(z.int()),
  architectures: z.nullish(z.array(z.string())),
  archMap: z.nullish(z.array(z.object({ architecture: z.string(), subArchitectures: z.nullish(z.array(z.string())) }))),
  flags: z.nullish(z.array(z.string())),
  syscalls: z.nullish(
    z.array(
      z.object({
        name: z.optional(z.string()),
        names: z.nullish(z.array(z.string())),
        action: z.string(),
        errnoRet: z.nullish(z.int()),
        args: z.nullish(z.array(z.object({ index: z.int(), value: z.number(), valueTwo: z.optional(z.number()), op: z.string() }))),
        includes: filterSchema,
        excludes: filterSchema,
      }),
    ),
  ),
});

export type DockerSeccompProfile = z.infer<typeof profileSchema>;

/** What a profile's rules are checked against besides the container's capabilities. */
export interface SeccompTarget {
  /** Go's name for the architecture (`amd64`, `arm64` …), which profiles' `arches` use. */
  arch: string;
  /** The kernel release, e.g. `6.8.0-45-generic`, for rules with `minKernel`. */
  kernel: string;
}

/** Node's process.arch → Go's GOARCH, the names Docker profiles use. */
const GO_ARCH: Record<string, string> = {
  x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x',
  riscv64: 'riscv64', loong64: 'loong64', mips64el: 'mips64le',
};

/** GOARCH → libseccomp's name for the native architecture, the key into a profile's archMap. */
const SECCOMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64', '386': 'SCMP_ARCH_X86', arm64: 'SCMP_ARCH_AARCH64', arm: 'SCMP_ARCH_ARM',
  ppc64le: 'SCMP_ARCH_PPC64LE', s390x: 'SCMP_ARCH_S390X', riscv64: 'SCMP_ARCH_RISCV64',
  loong64: 'SCMP_ARCH_LOONGARCH64', mips64le: 'SCMP_ARCH_MIPSEL64',
};

export function hostSeccompTarget(): SeccompTarget {
  return { arch: GO_ARCH[process.arch] ?? process.arch, kernel: release() };
}

/** Major and minor of a kernel release; later parts never decide a minKernel rule. */
function kernelVersion(text: string): [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(text);
  if (!match) throw usageError(`invalid kernel version ${JSON.stringify(text)} in seccomp profile`);
  return [Number(match[1]), Number(match[2])];
}

function kernelAtLeast(kernel: string, minimum: string): boolean {
  const [major, minor] = kernelVersion(kernel);
  const [wantMajor, wantMinor] = kernelVersion(minimum);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

export function parseSeccompProfile(json: string): DockerSeccompProfile {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw usageError(`decoding seccomp profile failed: ${(error as Error).message}`);
  }
  const result = safeParse(profileSchema, value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw usageError(`decoding seccomp profile failed: ${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

/** The profile's rules that apply to a container with `capabilities` (its bounding set) on `target`. */
export function convertSeccompProfile(
  profile: DockerSeccompProfile,
  capabilities: readonly string[],
  target: SeccompTarget,
): NonNullable<Spec['linux']['seccomp']> {
  if (profile.architectures?.length && profile.archMap?.length) {
    throw usageError("seccomp profile: 'architectures' and 'archMap' cannot both be set");
  }
  const native = SECCOMP_ARCH[target.arch];
  const mapped = profile.archMap?.find((entry) => entry.architecture === native);
  const architectures = mapped ? [mapped.architecture, ...(mapped.subArchitectures ?? [])] : [...(profile.architectures ?? [])];

  const syscalls: SeccompSyscall[] = [];
  for (const rule of profile.syscalls ?? []) {
    const { includes, excludes } = rule;
    if (excludes?.minKernel) throw usageError('seccomp profile: excludes.minKernel is not supported');
    if (includes?.arches?.length && !includes.arches.includes(target.arch)) continue;
    if (excludes?.arches?.length && excludes.arches.includes(target.arch)) continue;
    if (includes?.caps?.length && !includes.caps.every((cap) => capabilities.includes(cap))) continue;
    if (excludes?.caps?.length && excludes.caps.some((cap) => capabilities.includes(cap))) continue;
    if (includes?.minKernel && !kernelAtLeast(target.kernel, includes.minKernel)) continue;

    const names = rule.names?.length ? rule.names : rule.name ? [rule.name] : [];
    if (names.length === 0) throw usageError('seccomp profile: a syscall rule names no syscall');
    syscalls.push({
      names,
      action: rule.action,
      ...(rule.errnoRet != null ? { errnoRet: rule.errnoRet } : {}),
      ...(rule.args?.length ? { args: rule.args } : {}),
    });
  }
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet != null ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    architectures,
    ...(profile.flags?.length ? { flags: profile.flags } : {}),
    syscalls,
  };
}

/**
 * `--security-opt seccomp=<profile JSON>` (the CLI sends the file's content), or `unconfined`
 * for no filter at all.
 */
export function withSeccomp(spec: Spec, profile: string, target: SeccompTarget = hostSeccompTarget()): void {
  if (profile === 'unconfined') {
    delete spec.linux.seccomp;
    return;
  }
  spec.linux.seccomp = convertSeccompProfile(parseSeccompProfile(profile), spec.process.capabilities.bounding, target);
}

/** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: the flags that make namespaces. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000;
const NAMESPACE_SYSCALLS = new Set(['clone', 'clone3', 'setns', 'unshare']);
const ENOSYS = 38;
const EPERM = 1;

/**
 * Docker's default profile lets only CAP_SYS_ADMIN make namespaces: `unshare`, `setns`, and
 * `clone` with namespace flags (`clone3` answers ENOSYS so libcs fall back to clone). The
 * containers-common profile berth reads allows all four for podman's sake; this puts Docker's
 * rule back, so `berth run` confines a container as `docker run` does. Takes and returns JSON.
 */
export function withDockerNamespaceRules(profileJson: string): string {
  const profile = JSON.parse(profileJson) as { syscalls?: Array<Record<string, unknown> & { names?: string[]; name?: string }> };
  const unconditional = (rule: Record<string, unknown>) =>
    rule.action === 'SCMP_ACT_ALLOW' && !(rule.args as unknown[] | undefined)?.length && !isFilterSet(rule.includes) && !isFilterSet(rule.excludes);
  const syscalls = (profile.syscalls ?? []).map((rule) => {
    if (!unconditional(rule)) return rule;
    const names = (rule.names ?? (rule.name ? [rule.name] : [])).filter((name) => !NAMESPACE_SYSCALLS.has(name));
    return { ...rule, name: undefined, names };
  });
  syscalls.push(
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    // EPERM as Docker answers, not the profile's default ENOSYS: "Operation not permitted"
    { names: ['unshare', 'setns'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: [...NAMESPACE_SYSCALLS], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
  );
  return JSON.stringify({ ...profile, syscalls });
}

function isFilterSet(filter: unknown): boolean {
  if (!filter || typeof filter !== 'object') return false;
  return Object.values(filter).some((value) => (Array.isArray(value) ? value.length > 0 : Boolean(value)));
}

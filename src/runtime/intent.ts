// What `berth run`/`create` is asked to do, shaped like the body of Docker Engine's
// `POST /containers/create` as dockerode sends it: the container config fields at the top level,
// plus `HostConfig` and `NetworkingConfig`. Flags are parsed into this object, it is validated
// once here, and the OCI spec, the containerd record and berth's labels all derive from it.
// Fields berth does not read yet are stripped, as the Engine ignores fields it does not know.

import * as z from 'zod/mini';
import { BerthError } from '../errors.js';
import { safeParse } from '../validation.js';

/** Docker's `strslice`: a JSON string is a one-element list. */
const stringSlice = z.pipe(
  z.union([z.string(), z.array(z.string())]),
  z.transform((value: string | string[]) => (typeof value === 'string' ? [value] : value)),
);

const stringMap = z.record(z.string(), z.string());

const RESTART_POLICIES = ['', 'no', 'always', 'unless-stopped', 'on-failure'] as const;

/** Docker refuses memory limits below 6 MiB: the container could not even start. */
const MIN_MEMORY = 6 * 1024 * 1024;

const count = () => z.int().check(z.nonnegative());

const mountTarget = z.string().check(z.minLength(1, 'mount target must not be empty'));

const bindMountSchema = z.object({
  Type: z.literal('bind'),
  Source: z.string().check(z.minLength(1, 'bind source path must not be empty')),
  Target: mountTarget,
  ReadOnly: z.optional(z.boolean()),
  BindOptions: z.nullish(z.object({ Propagation: z.optional(z.string()) })),
});

/** Docker's blkiodev.ThrottleDevice: bytes or IOs per second for one block device. */
const throttleDeviceSchema = z.object({ Path: z.string(), Rate: count() });

const IPC_MODES = new Set(['', 'none', 'private', 'host', 'shareable']);
/** `--mount type=volume`: a named volume (created on demand) or, without Source, an anonymous one. */
const volumeMountSchema = z.object({
  Type: z.literal('volume'),
  Source: z.optional(z.string()),
  Target: mountTarget,
  ReadOnly: z.optional(z.boolean()),
  VolumeOptions: z.nullish(
    z.object({
      NoCopy: z.optional(z.boolean()),
      Labels: z.nullish(stringMap),
      DriverConfig: z.nullish(z.object({ Name: z.optional(z.string()), Options: z.nullish(stringMap) })),
    }),
  ),
});

const tmpfsMountSchema = z.object({
  Type: z.literal('tmpfs'),
  Target: mountTarget,
  ReadOnly: z.optional(z.boolean()),
  TmpfsOptions: z.nullish(z.object({ SizeBytes: z.optional(z.int()), Mode: z.optional(z.int()) })),
});

const MOUNT_TYPES = new Set(['bind', 'volume', 'tmpfs']);

const mountSchema = z.discriminatedUnion('Type', [bindMountSchema, volumeMountSchema, tmpfsMountSchema], {
  error: (issue) => {
    const type = (issue.input as { Type?: unknown } | undefined)?.Type;
    return typeof type === 'string' && !MOUNT_TYPES.has(type) ? `mount type ${JSON.stringify(type)} is not supported yet` : undefined;
  },
});

const hostConfigSchema = z
  .object({
    Binds: z.nullish(z.array(z.string())),
    Mounts: z.nullish(z.array(mountSchema)),
    /** `--volumes-from CONTAINER[:ro|rw]` */
    VolumesFrom: z.nullish(z.array(z.string())),
    Tmpfs: z.nullish(stringMap),
    ReadonlyRootfs: z.optional(z.boolean()),
    Privileged: z.optional(z.boolean()),
    CapAdd: z.nullish(z.array(z.string())),
    CapDrop: z.nullish(z.array(z.string())),
    SecurityOpt: z.nullish(z.array(z.string())),
    Init: z.nullish(z.boolean()),
    Memory: z.optional(z.int().check(z.refine((value) => value === 0 || value >= MIN_MEMORY, 'minimum memory limit allowed is 6MB'))),
    NanoCpus: z.optional(count()),
    PidsLimit: z.nullish(z.int()),
    Ulimits: z.nullish(z.array(z.object({ Name: z.string(), Soft: z.int(), Hard: z.int() }))),
    GroupAdd: z.nullish(z.array(z.string())),
    /** none, host, bridge, a user network's name or container:<name|id> (stored by ID) */
    NetworkMode: z.optional(
      z.string().check(z.refine((mode) => mode !== '' && mode !== 'container:', { error: (issue) => `invalid network mode ${JSON.stringify(issue.input)}` })),
    ),
    Runtime: z.optional(z.string()),
    AutoRemove: z.optional(z.boolean()),
    /** [rows, columns] of the client's terminal, so a `-t` process starts with the right size */
    ConsoleSize: z.nullish(z.tuple([count(), count()])),
    RestartPolicy: z.optional(
      z
        .object({
          Name: z.enum(RESTART_POLICIES, { error: (issue) => `invalid restart policy ${JSON.stringify(issue.input)}` }),
          MaximumRetryCount: z.optional(count()),
        })
        .check(
          z.refine(
            (policy) => !policy.MaximumRetryCount || policy.Name === 'on-failure',
            { error: (issue) => `maximum retry count cannot be used with restart policy '${(issue.input as { Name: string }).Name}'` },
          ),
        ),
    ),
    LogConfig: z.optional(z.object({ Type: z.string(), Config: z.nullish(stringMap) })),
    Annotations: z.nullish(stringMap),
    /** `--security-opt systempaths=unconfined` sends both as empty lists, as Docker's CLI does */
    MaskedPaths: z.nullish(z.array(z.string())),
    ReadonlyPaths: z.nullish(z.array(z.string())),
    ContainerIDFile: z.optional(z.string()),
    /** `80/tcp` → host addresses and ports; HostPort empty or a range means "pick one" */
    PortBindings: z.nullish(z.record(z.string(), z.array(z.object({ HostIp: z.string(), HostPort: z.string() })))),
    PublishAllPorts: z.optional(z.boolean()),
    Dns: z.nullish(z.array(z.string())),
    DnsSearch: z.nullish(z.array(z.string())),
    DnsOptions: z.nullish(z.array(z.string())),
    /** `name:ip` as Docker stores them; `host-gateway` is resolved at create */
    ExtraHosts: z.nullish(z.array(z.string())),
    // cgroup resources, devices and namespaces (the daemon's cross-field checks: spec/host-resources.ts)
    CpuShares: z.optional(z.int()),
    CpuPeriod: z.optional(z.int()),
    CpuQuota: z.optional(z.int()),
    CpuRealtimePeriod: z.optional(count()),
    CpuRealtimeRuntime: z.optional(z.int()),
    CpusetCpus: z.optional(z.string()),
    CpusetMems: z.optional(z.string()),
    MemoryReservation: z.optional(count()),
    MemorySwap: z.optional(z.int().check(z.gte(-1))),
    MemorySwappiness: z.nullish(z.int()),
    OomKillDisable: z.nullish(z.boolean()),
    OomScoreAdj: z.optional(z.int()),
    BlkioWeight: z.optional(z.int().check(z.gte(0), z.lte(1000))),
    BlkioWeightDevice: z.nullish(z.array(z.object({ Path: z.string(), Weight: z.int().check(z.gte(0), z.lte(1000)) }))),
    BlkioDeviceReadBps: z.nullish(z.array(throttleDeviceSchema)),
    BlkioDeviceWriteBps: z.nullish(z.array(throttleDeviceSchema)),
    BlkioDeviceReadIOps: z.nullish(z.array(throttleDeviceSchema)),
    BlkioDeviceWriteIOps: z.nullish(z.array(throttleDeviceSchema)),
    ShmSize: z.optional(z.int().check(z.refine((value) => value >= 0, 'SHM size can not be less than 0'))),
    Devices: z.nullish(z.array(z.object({ PathOnHost: z.string(), PathInContainer: z.string(), CgroupPermissions: z.string() }))),
    DeviceCgroupRules: z.nullish(z.array(z.string())),
    Sysctls: z.nullish(stringMap),
    PidMode: z.optional(z.string().check(z.refine((mode) => mode === '' || mode === 'host' || /^container:.+/.test(mode), { error: (issue) => `invalid PID mode: ${issue.input}` }))),
    IpcMode: z.optional(z.string().check(z.refine((mode) => IPC_MODES.has(mode) || mode.startsWith('container:'), { error: (issue) => `invalid IPC mode: ${issue.input}` }))),
    UTSMode: z.optional(z.string().check(z.refine((mode) => mode === '' || mode === 'host', { error: (issue) => `invalid UTS mode: ${issue.input}` }))),
    UsernsMode: z.optional(z.string().check(z.refine((mode) => mode === '' || mode === 'host', { error: (issue) => `invalid USER mode: ${issue.input}` }))),
    CgroupnsMode: z.optional(z.enum(['', 'host', 'private'], { error: (issue) => `invalid cgroup namespace mode: ${issue.input}` })),
    CgroupParent: z.optional(z.string()),
    Isolation: z.optional(z.string().check(z.refine((value) => ['', 'default'].includes(value.toLowerCase()), { error: (issue) => `invalid isolation (${issue.input}): linux only supports 'default'` }))),
  })
  .check(
    z.refine(
      (host) => !host.AutoRemove || host.RestartPolicy === undefined || ['', 'no'].includes(host.RestartPolicy.Name),
      { message: "can't create 'AutoRemove' container with restart policy", path: ['AutoRemove'] },
    ),
  );

/** Docker's HealthConfig: the daemon refuses durations under 1 ms (0 means the default). */
const healthDuration = (field: string) =>
  z.optional(z.int().check(z.refine((value) => value === 0 || value >= 1_000_000, `${field} in Healthcheck cannot be less than 1ms`)));

const healthcheckSchema = z.object({
  Test: z.nullish(z.array(z.string())),
  Interval: healthDuration('Interval'),
  Timeout: healthDuration('Timeout'),
  StartPeriod: healthDuration('StartPeriod'),
  StartInterval: healthDuration('StartInterval'),
  Retries: z.optional(z.int().check(z.refine((value) => value >= 0, 'Retries in Healthcheck cannot be negative'))),
});

export const createIntentSchema = z.object({
  Image: z.string().check(z.minLength(1, 'an image is required')),
  Cmd: z.nullish(stringSlice),
  Entrypoint: z.nullish(stringSlice),
  Env: z.nullish(z.array(z.string())),
  WorkingDir: z.optional(z.string()),
  User: z.optional(z.string()),
  Labels: z.nullish(stringMap),
  /** anonymous volumes' destinations (`-v /path`), as Docker's CLI sends them */
  Volumes: z.nullish(z.record(z.string(), z.looseObject({}))),
  Hostname: z.optional(z.string()),
  Domainname: z.optional(z.string()),
  Tty: z.optional(z.boolean()),
  OpenStdin: z.optional(z.boolean()),
  AttachStdin: z.optional(z.boolean()),
  AttachStdout: z.optional(z.boolean()),
  AttachStderr: z.optional(z.boolean()),
  StdinOnce: z.optional(z.boolean()),
  StopSignal: z.optional(z.string()),
  StopTimeout: z.nullish(z.int()),
  ExposedPorts: z.nullish(z.record(z.string(), z.object({}))),
  /** stored merged with the image's HEALTHCHECK, as Docker's daemon stores Config */
  Healthcheck: z.nullish(healthcheckSchema),
  HostConfig: z._default(hostConfigSchema, {}),
  NetworkingConfig: z.nullish(
    z.object({
      EndpointsConfig: z.nullish(
        z.record(
          z.string(),
          z.looseObject({
            Aliases: z.nullish(z.array(z.string())),
            IPAMConfig: z.nullish(z.looseObject({ IPv4Address: z.optional(z.string()) })),
            MacAddress: z.optional(z.string()),
          }),
        ),
      ),
    }),
  ),
});

export type CreateIntent = z.infer<typeof createIntentSchema>;
export type HostConfig = CreateIntent['HostConfig'];
export type BindMount = z.infer<typeof bindMountSchema>;
export type VolumeMount = z.infer<typeof volumeMountSchema>;
export type TmpfsMount = z.infer<typeof tmpfsMountSchema>;
export type MountSpec = z.infer<typeof mountSchema>;

/** Validates a create request; a bad field is the user's mistake (exit 125), named by its path. */
export function parseCreateIntent(input: unknown): CreateIntent {
  const result = safeParse(createIntentSchema, input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new BerthError('usage', `invalid container config: ${where}${issue.message}`, { cause: result.error });
}

export type ThrottleDevice = z.infer<typeof throttleDeviceSchema>;
export type DeviceMapping = NonNullable<HostConfig['Devices']>[number];

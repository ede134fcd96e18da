// What `berth run`/`create` is asked to do, shaped like the body of Docker Engine's
// `POST /containers/create` as dockerode sends it: the container config fields at the top level,
// plus `HostConfig` and `NetworkingConfig`. Flags are parsed into this object, it is validated
// once here, and the OCI spec, the containerd record and berth's labels all derive from it.
// Fields berth does not read yet are stripped, as the Engine ignores fields it does not know.

import { z } from 'zod';
import { BerthError } from '../errors.js';

/** Docker's `strslice`: a JSON string is a one-element list. */
const stringSlice = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (typeof value === 'string' ? [value] : value));

const stringMap = z.record(z.string(), z.string());

const RESTART_POLICIES = ['', 'no', 'always', 'unless-stopped', 'on-failure'] as const;

/** Docker refuses memory limits below 6 MiB: the container could not even start. */
const MIN_MEMORY = 6 * 1024 * 1024;

const bindMountSchema = z.object({
  Type: z.literal('bind', { error: (issue) => `mount type ${JSON.stringify(issue.input)} is not supported yet` }),
  Source: z.string().min(1, 'bind source path must not be empty'),
  Target: z.string().min(1, 'mount target must not be empty'),
  ReadOnly: z.boolean().optional(),
  BindOptions: z.object({ Propagation: z.string().optional() }).nullish(),
});

const hostConfigSchema = z
  .object({
    Binds: z.array(z.string()).nullish(),
    Mounts: z.array(bindMountSchema).nullish(),
    Tmpfs: stringMap.nullish(),
    ReadonlyRootfs: z.boolean().optional(),
    Privileged: z.boolean().optional(),
    CapAdd: z.array(z.string()).nullish(),
    CapDrop: z.array(z.string()).nullish(),
    SecurityOpt: z.array(z.string()).nullish(),
    Init: z.boolean().nullish(),
    Memory: z.int().refine((value) => value === 0 || value >= MIN_MEMORY, 'minimum memory limit allowed is 6MB').optional(),
    NanoCpus: z.int().nonnegative().optional(),
    PidsLimit: z.int().nullish(),
    Ulimits: z.array(z.object({ Name: z.string(), Soft: z.int(), Hard: z.int() })).nullish(),
    GroupAdd: z.array(z.string()).nullish(),
    NetworkMode: z
      .enum(['none', 'host'], { error: (issue) => `network mode ${JSON.stringify(issue.input)} is not supported yet` })
      .optional(),
    Runtime: z.string().optional(),
    AutoRemove: z.boolean().optional(),
    /** [rows, columns] of the client's terminal, so a `-t` process starts with the right size */
    ConsoleSize: z.tuple([z.int().nonnegative(), z.int().nonnegative()]).nullish(),
    RestartPolicy: z
      .object({
        Name: z.enum(RESTART_POLICIES, { error: (issue) => `invalid restart policy ${JSON.stringify(issue.input)}` }),
        MaximumRetryCount: z.int().nonnegative().optional(),
      })
      .refine(
        (policy) => !policy.MaximumRetryCount || policy.Name === 'on-failure',
        { error: (issue) => `maximum retry count cannot be used with restart policy '${(issue.input as { Name: string }).Name}'` },
      )
      .optional(),
    LogConfig: z.object({ Type: z.string(), Config: stringMap.nullish() }).optional(),
    Annotations: stringMap.nullish(),
    /** `--security-opt systempaths=unconfined` sends both as empty lists, as Docker's CLI does */
    MaskedPaths: z.array(z.string()).nullish(),
    ReadonlyPaths: z.array(z.string()).nullish(),
    ContainerIDFile: z.string().optional(),
  })
  .refine(
    (host) => !host.AutoRemove || host.RestartPolicy === undefined || ['', 'no'].includes(host.RestartPolicy.Name),
    { message: "can't create 'AutoRemove' container with restart policy", path: ['AutoRemove'] },
  );

export const createIntentSchema = z.object({
  Image: z.string().min(1, 'an image is required'),
  Cmd: stringSlice.nullish(),
  Entrypoint: stringSlice.nullish(),
  Env: z.array(z.string()).nullish(),
  WorkingDir: z.string().optional(),
  User: z.string().optional(),
  Labels: stringMap.nullish(),
  Hostname: z.string().optional(),
  Domainname: z.string().optional(),
  Tty: z.boolean().optional(),
  OpenStdin: z.boolean().optional(),
  AttachStdin: z.boolean().optional(),
  AttachStdout: z.boolean().optional(),
  AttachStderr: z.boolean().optional(),
  StdinOnce: z.boolean().optional(),
  StopSignal: z.string().optional(),
  StopTimeout: z.int().nullish(),
  HostConfig: hostConfigSchema.default({}),
  NetworkingConfig: z
    .object({ EndpointsConfig: z.record(z.string(), z.looseObject({})).nullish() })
    .nullish(),
});

export type CreateIntent = z.infer<typeof createIntentSchema>;
export type HostConfig = CreateIntent['HostConfig'];
export type BindMount = z.infer<typeof bindMountSchema>;

/** Validates a create request; a bad field is the user's mistake (exit 125), named by its path. */
export function parseCreateIntent(input: unknown): CreateIntent {
  const result = createIntentSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new BerthError('usage', `invalid container config: ${where}${issue.message}`, { cause: result.error });
}

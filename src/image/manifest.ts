// Manifests, indexes and image configs as registries serve them (OCI and Docker schema 2).
// The schemas check what berth relies on (digests, sizes, the shape of descriptors) and keep
// every other field, so a document can be stored and pushed again unchanged.

import * as z from 'zod/mini';
import { BerthError } from '../errors.js';
import { safeParse } from '../validation.js';
import { IMAGE_MANIFEST_MEDIA_TYPES, INDEX_MEDIA_TYPES, MediaType, SCHEMA1_MEDIA_TYPES } from './media-types.js';
import { compatiblePlatforms, formatPlatform, hostPlatform, normalizePlatform, samePlatform, type Platform } from './platform.js';
import { digestProblem } from './reference.js';

export const digestSchema = z.string().check(
  z.superRefine((value, context) => {
    const problem = digestProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  }),
);

const sizeSchema = z.int().check(z.nonnegative());

export const platformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  'os.version': z.optional(z.string()),
  'os.features': z.optional(z.array(z.string())),
  variant: z.optional(z.string()),
});

export const descriptorSchema = z.looseObject({
  mediaType: z.string().check(z.minLength(1)),
  digest: digestSchema,
  size: sizeSchema,
  urls: z.nullish(z.array(z.string())),
  annotations: z.nullish(z.record(z.string(), z.string())),
  platform: z.optional(platformSchema),
  artifactType: z.optional(z.string()),
});

export const imageManifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.optional(z.string()),
  artifactType: z.optional(z.string()),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: z.optional(descriptorSchema),
  annotations: z.nullish(z.record(z.string(), z.string())),
});

export const imageIndexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.optional(z.string()),
  artifactType: z.optional(z.string()),
  manifests: z.array(descriptorSchema),
  subject: z.optional(descriptorSchema),
  annotations: z.nullish(z.record(z.string(), z.string())),
});

const stringList = z.nullish(z.array(z.string()));
const emptyObjectMap = z.nullish(z.record(z.string(), z.looseObject({})));

/** Docker writes `null` for many empty fields, so most are nullish. */
export const imageConfigSchema = z.looseObject({
  created: z.optional(z.string()),
  author: z.optional(z.string()),
  architecture: z.string(),
  os: z.string(),
  'os.version': z.optional(z.string()),
  variant: z.optional(z.string()),
  config: z.nullish(
    z.looseObject({
      User: z.optional(z.string()),
      ExposedPorts: emptyObjectMap,
      Env: stringList,
      Entrypoint: stringList,
      Cmd: stringList,
      Volumes: emptyObjectMap,
      WorkingDir: z.optional(z.string()),
      Labels: z.nullish(z.record(z.string(), z.string())),
      StopSignal: z.optional(z.string()),
      Shell: stringList,
      OnBuild: stringList,
      ArgsEscaped: z.optional(z.boolean()),
      Healthcheck: z.nullish(
        z.looseObject({
          Test: stringList,
          Interval: z.optional(z.number()),
          Timeout: z.optional(z.number()),
          StartPeriod: z.optional(z.number()),
          StartInterval: z.optional(z.number()),
          Retries: z.optional(z.number()),
        }),
      ),
    }),
  ),
  rootfs: z.looseObject({
    type: z.literal('layers'),
    diff_ids: z.array(digestSchema),
  }),
  history: z.nullish(
    z.array(
      z.looseObject({
        created: z.optional(z.string()),
        created_by: z.optional(z.string()),
        author: z.optional(z.string()),
        comment: z.optional(z.string()),
        empty_layer: z.optional(z.boolean()),
      }),
    ),
  ),
});

export type Descriptor = z.infer<typeof descriptorSchema>;
export type ImageManifest = z.infer<typeof imageManifestSchema>;
export type ImageIndex = z.infer<typeof imageIndexSchema>;
export type ImageConfig = z.infer<typeof imageConfigSchema>;

export type ManifestDocument =
  | { readonly kind: 'index'; readonly mediaType: string; readonly index: ImageIndex }
  | { readonly kind: 'manifest'; readonly mediaType: string; readonly manifest: ImageManifest };

/**
 * Reads a manifest or index. `mediaType` is what the registry declared (Content-Type); when it
 * is missing or generic, the document's own `mediaType` field or its shape decides.
 */
export function parseManifestDocument(bytes: Uint8Array, mediaType: string | undefined): ManifestDocument {
  const declared = mediaType?.split(';', 1)[0].trim().toLowerCase() || undefined;
  if (declared !== undefined && SCHEMA1_MEDIA_TYPES.has(declared)) throw schema1Error();
  const document = parseJson(bytes, 'manifest');
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new BerthError('invalid-argument', 'invalid manifest: not a JSON object');
  }
  const fields = document as Record<string, unknown>;
  if (fields.schemaVersion === 1) throw schema1Error();

  const own = typeof fields.mediaType === 'string' ? fields.mediaType : undefined;
  const known = (type: string | undefined): type is string =>
    type !== undefined && (INDEX_MEDIA_TYPES.has(type) || IMAGE_MANIFEST_MEDIA_TYPES.has(type));
  let effective: string;
  if (known(declared)) {
    if (own !== undefined && own !== declared) {
      throw new BerthError('invalid-argument', `invalid manifest: served as ${declared} but its mediaType is ${own}`);
    }
    effective = declared;
  } else if (known(own)) {
    effective = own;
  } else if (own === undefined && Array.isArray(fields.manifests)) {
    effective = MediaType.ociIndex;
  } else if (own === undefined && 'config' in fields) {
    effective = MediaType.ociManifest;
  } else {
    throw new BerthError('invalid-argument', `unsupported manifest media type ${own ?? declared ?? '(none)'}`);
  }

  if (INDEX_MEDIA_TYPES.has(effective)) {
    return { kind: 'index', mediaType: effective, index: validate(imageIndexSchema, document, 'manifest list') };
  }
  return { kind: 'manifest', mediaType: effective, manifest: validate(imageManifestSchema, document, 'manifest') };
}

export function parseImageConfig(bytes: Uint8Array): ImageConfig {
  return validate(imageConfigSchema, parseJson(bytes, 'image config'), 'image config');
}

/**
 * The index entry to pull for `wanted`: an exact match if there is one, otherwise the best
 * entry the wanted platform can also run (see compatiblePlatforms).
 */
export function choosePlatform(index: ImageIndex, wanted: Platform = hostPlatform()): Descriptor {
  const entries = index.manifests.filter(
    (entry) => entry.platform !== undefined && (IMAGE_MANIFEST_MEDIA_TYPES.has(entry.mediaType) || INDEX_MEDIA_TYPES.has(entry.mediaType)),
  );
  for (const candidate of compatiblePlatforms(wanted)) {
    const found = entries.find((entry) => entry.platform !== undefined && samePlatform(entry.platform, candidate));
    if (found) return found;
  }
  throw new BerthError('not-found', `no matching manifest for ${formatPlatform(normalizePlatform(wanted))} in the manifest list entries`);
}

function schema1Error(): BerthError {
  return new BerthError(
    'failed-precondition',
    'schema 1 images are not supported; the image must be pushed again in the OCI or Docker schema 2 format',
  );
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new BerthError('invalid-argument', `invalid ${what}: ${(error as Error).message}`, { cause: error });
  }
}

function validate<T extends z.ZodMiniType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = safeParse(schema, value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new BerthError('invalid-argument', `invalid ${what}: ${where}${issue.message}`, { cause: result.error });
}

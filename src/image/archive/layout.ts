// The files of an image archive, as `docker save` writes them since Docker 25: an OCI image
// layout (oci-layout, index.json, blobs/<algorithm>/<hex>) and, for older readers, Docker's
// manifest.json and repositories. Archives from older Docker versions hold manifest.json with
// `<id>/layer.tar` layers and `<hex>.json` configs instead of blobs.

import * as z from 'zod/mini';

export const LAYOUT_FILES = {
  ociLayout: 'oci-layout',
  index: 'index.json',
  dockerManifest: 'manifest.json',
  repositories: 'repositories',
} as const;

export const OCI_LAYOUT_VERSION = '1.0.0';

/** On index.json's manifest descriptors: which image each one is. */
export const ANNOTATIONS = {
  /** containerd's full image name: `docker.io/library/busybox:latest` */
  imageName: 'io.containerd.image.name',
  /** OCI's reference name: the tag (`latest`) as Docker writes it, a full reference in some tools */
  refName: 'org.opencontainers.image.ref.name',
} as const;

export function blobPath(digest: string): string {
  const colon = digest.indexOf(':');
  return `blobs/${digest.slice(0, colon)}/${digest.slice(colon + 1)}`;
}

/** The digest that an OCI layout's `blobs/<algorithm>/<hex>` path names, or undefined for any other path. */
export function blobPathDigest(path: string): string | undefined {
  const match = /^blobs\/([^/]+)\/([^/]+)$/.exec(path);
  return match ? `${match[1]}:${match[2]}` : undefined;
}

/** One image of Docker's manifest.json; RepoTags is null for an image saved by ID. */
export const dockerManifestSchema = z.array(
  z.looseObject({
    Config: z.string(),
    RepoTags: z.nullish(z.array(z.string())),
    Layers: z.array(z.string()),
  }),
);

export type DockerManifest = z.infer<typeof dockerManifestSchema>;

export const ociLayoutSchema = z.looseObject({ imageLayoutVersion: z.string() });

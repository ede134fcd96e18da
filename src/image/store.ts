// What image operations need from containerd, as a narrow interface: src/image never
// imports src/runtime; the containerd implementation (src/runtime/containerd/image-store.ts)
// is handed in by the command.

export interface StoredDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface StoredImage {
  /** containerd's image name: the canonical reference, `docker.io/library/busybox:latest` */
  readonly name: string;
  readonly target: StoredDescriptor;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt?: Date;
  readonly updatedAt?: Date;
}

export interface BlobInfo {
  readonly digest: string;
  readonly size: number;
  readonly labels: Readonly<Record<string, string>>;
}

export interface BlobTarget {
  readonly digest: string;
  readonly size: number;
  /** ingest name: the same ref resumes a write that was cut short */
  readonly ref: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly lease?: string;
}

/** Opens the blob's bytes from `offset` on; `resumed` false means the source restarted at 0. */
export type OpenSource = (offset: number) => Promise<{ stream: AsyncIterable<Uint8Array>; resumed: boolean }>;

export interface Ingest {
  readonly ref: string;
  readonly offset: number;
  readonly total: number;
}

export interface LayerToUnpack {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageStore {
  readonly namespace: string;
  readonly snapshotter: string;
  /** the namespace is the one containerd's CRI plugin keeps Kubernetes' images in (see cri-records.ts) */
  readonly criImages: boolean;
  /** Runs `work` under a lease that keeps what it writes from the garbage collector. */
  withLease<T>(work: (lease: string) => Promise<T>): Promise<T>;
  blobInfo(digest: string): Promise<BlobInfo | undefined>;
  writeBlob(target: BlobTarget, open: OpenSource, onProgress?: (written: number) => void): Promise<'written' | 'exists'>;
  readBlob(digest: string, offset?: number): AsyncIterable<Buffer>;
  readBlobBytes(digest: string, limit: number): Promise<Buffer>;
  setBlobLabels(digest: string, labels: Readonly<Record<string, string>>, lease?: string): Promise<void>;
  deleteBlob(digest: string): Promise<void>;
  listIngests(): Promise<Ingest[]>;
  abortIngest(ref: string): Promise<void>;
  snapshotExists(key: string): Promise<boolean>;
  /** bytes the snapshot's own layer takes on disk (containerd's Snapshots.Usage) */
  snapshotUsage(key: string): Promise<number>;
  /** Prepare → apply → commit one layer as `chainId` on `parent` ('' for the first). */
  unpackLayer(options: { chainId: string; parent: string; layer: LayerToUnpack; expectedDiffId: string; lease: string }): Promise<'unpacked' | 'present'>;
  getImage(name: string): Promise<StoredImage | undefined>;
  listImages(filters?: readonly string[]): Promise<StoredImage[]>;
  /** Creates the image record, or replaces target and labels of an existing one. */
  putImage(image: Omit<StoredImage, 'createdAt' | 'updatedAt'>): Promise<void>;
  deleteImage(name: string, options?: { sync?: boolean }): Promise<void>;
  /** total bytes of every blob in the namespace's content store */
  contentSize(): Promise<number>;
  /**
   * The containers of the namespace and the image name each was created from; CRI's containers
   * name none, but record the image's ID (config digest) as `imageId`.
   */
  containerImages(): Promise<{ readonly id: string; readonly image: string; readonly imageId?: string }[]>;
}

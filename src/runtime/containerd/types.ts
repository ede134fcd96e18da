// The shapes of containerd's messages as berth's protobuf settings decode them
// (int64 as decimal strings, enums as their names, defaults filled in).

export interface Timestamp {
  readonly seconds: string;
  readonly nanos: number;
}

export interface Descriptor {
  readonly media_type: string;
  readonly digest: string;
  readonly size: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface Any {
  readonly type_url: string;
  readonly value: Buffer;
}

export interface Namespace {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface Container {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly image: string;
  readonly runtime: { readonly name: string; readonly options: Any | null } | null;
  readonly spec: Any | null;
  readonly snapshotter: string;
  readonly snapshot_key: string;
  readonly created_at: Timestamp | null;
  readonly updated_at: Timestamp | null;
  readonly extensions: Readonly<Record<string, Any>>;
}

export interface Image {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly target: Descriptor | null;
  readonly created_at: Timestamp | null;
  readonly updated_at: Timestamp | null;
}

export type TaskStatus = 'UNKNOWN' | 'CREATED' | 'RUNNING' | 'STOPPED' | 'PAUSED' | 'PAUSING';

export interface Process {
  readonly container_id: string;
  /** the container ID for an init process (containerd leaves container_id empty in List/Get) */
  readonly id: string;
  readonly pid: number;
  readonly status: TaskStatus;
  readonly terminal: boolean;
  readonly exit_status: number;
  readonly exited_at: Timestamp | null;
}

export interface Plugin {
  readonly type: string;
  readonly id: string;
  readonly exports: Readonly<Record<string, string>>;
  readonly capabilities: readonly string[];
  readonly init_err: { readonly code: number; readonly message: string } | null;
}

export function timestampToDate(timestamp: Timestamp | null | undefined): Date | undefined {
  if (!timestamp) return undefined;
  return new Date(Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6));
}

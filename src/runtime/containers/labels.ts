// Every containerd label and extension key berth writes on a container, in one place.
// User labels (`-l`, `--label-file`, the image's labels) are stored under their own keys;
// berth's own state lives under `berth/`, so `ps --filter label=` never sees it by accident.

export const LABELS = {
  /** Docker name without the leading slash */
  name: 'berth/name',
  /** `Config.Image` as the user typed it (normalised reference kept in Container.image) */
  imageAsTyped: 'berth/image',
  /** config digest of the image the container was created from: Docker's `.Image` */
  imageId: 'berth/image-id',
  /** final argv (entrypoint + cmd) as a JSON array: `ps`'s COMMAND without parsing the spec */
  command: 'berth/command',
  /** RFC 3339 with nanoseconds, updated on every start */
  startedAt: 'berth/started-at',
  /** written when berth deletes an exited task: the task no longer reports its exit */
  finishedAt: 'berth/finished-at',
  exitCode: 'berth/exit-code',
  /** 'true' for `--rm` */
  autoRemove: 'berth/auto-remove',
  /** how many times the container was restarted by its policy since the user last started it */
  restartCount: 'berth/restart-count',
  /** 'true' once `stop` or `kill` ended the container: its policy does not restart it (Docker's HasBeenManuallyStopped) */
  manuallyStopped: 'berth/manually-stopped',
  /** milliseconds berth's reaper waited before its last restart: Docker's back-off doubles it */
  restartBackoff: 'berth/restart-backoff',
  /** RFC 3339 time berth's reaper restarts the container at: `ps` shows it Restarting until then */
  restartDue: 'berth/restart-due',
  /** platform the image was chosen for, `linux/amd64` */
  platform: 'berth/platform',
  /** the signal `stop` sends: `--stop-signal`, else the image's StopSignal, else SIGTERM */
  stopSignal: 'berth/stop-signal',
  /** seconds `stop` waits before SIGKILL when the user gives no `-t` (`--stop-timeout`) */
  stopTimeout: 'berth/stop-timeout',
  /** hostname the container was given (for /etc/hosts and inspect) */
  hostname: 'berth/hostname',
  /** published ports as allocated at create, JSON of PortMapping[]: `ps`'s PORTS without a file read */
  ports: 'berth/ports',
  /** 'true' when the container has a health check to run: `ps` reads its health state only then */
  healthcheck: 'berth/healthcheck',
} as const;

/**
 * containerd's restart monitor (1.6: `io.containerd.internal.v1.restart`) keeps every container
 * labelled `status=running` running, starting its task with `loguri` as the log URI.
 */
export const RESTART_MONITOR_LABELS = {
  status: 'containerd.io/restart.status',
  logUri: 'containerd.io/restart.loguri',
} as const;

/** Container.extensions keys; values are Any with a JSON body. */
export const EXTENSIONS = {
  /** the validated CreateIntent (Docker's ContainerCreate body): inspect's Config and HostConfig */
  intent: 'berth/intent',
  /** the volumes as resolved at create (named, anonymous, taken over by --volumes-from): Docker's MountPoints */
  volumes: 'berth/volumes',
} as const;

export const INTENT_TYPE_URL = 'berth/create-intent';
export const VOLUMES_TYPE_URL = 'berth/volume-mounts';

/** Keys that are berth's (or the restart monitor's, set by berth), not the user's: hidden from Config.Labels and label filters. */
export function isBerthLabel(key: string): boolean {
  return key.startsWith('berth/') || key.startsWith('containerd.io/restart.');
}

/**
 * What Kubernetes writes on the containers of a node (namespace `k8s.io`): the kubelet's labels on
 * every sandbox and container, containerd's CRI plugin's kind label and its metadata extensions.
 * berth reads these and never writes them.
 */
export const CRI_LABELS = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
  /** `sandbox` or `container` */
  kind: 'io.cri-containerd.kind',
} as const;

export const CRI_EXTENSIONS = {
  /** JSON `{"Version":"v1","Metadata":{ID, Name, SandboxID, Config, ImageRef, LogPath, …}}` */
  container: 'io.cri-containerd.container.metadata',
  /** JSON `{"Version":"v1","Metadata":{ID, Name, Config, NetNSPath, …}}` */
  sandbox: 'io.cri-containerd.sandbox.metadata',
} as const;

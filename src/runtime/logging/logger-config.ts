// The file berth writes for each logger before the task is created, and the logger's check of it.
// Checked by hand: the logger process loads no validation library (memory per container counts).

export interface LoggerConfig {
  readonly driver: 'json-file' | 'none';
  readonly logPath: string;
  /** bytes; 0 = unlimited */
  readonly maxSize: number;
  /** ≥ 1 */
  readonly maxFile: number;
  /** console output on fd 3 only (fd 4 is an idle pipe the shim never closes) */
  readonly tty?: boolean;
  /** abstract unix socket ('\0…') where a foreground berth takes the output as frames */
  readonly attach?: string;
  /** abstract unix socket ('\0…') where the logger takes later attachments (`berth attach`) */
  readonly listen?: string;
  /** the container's stdin FIFO, held open (O_RDWR) so stdin never sees EOF when berth goes */
  readonly holdStdin?: string;
  /** argv run detached (own session, no stdio) once the output is drained and the log closed */
  readonly onExit?: readonly string[];
  /**
   * run `onExit` also when the shim ends the logger (SIGTERM): containerd's restart monitor
   * deletes exited tasks itself, and berth's reaper still has to count the restart
   */
  readonly reapWhenDeleted?: boolean;
  /**
   * The attached berth (this pid) deletes the task itself once the process exits (a foreground
   * run without a restart policy): the logger, its output drained, waits for the shim's SIGTERM
   * of that Tasks.Delete instead of starting `onExit`, which it starts only if berth goes first.
   */
  readonly attachReaps?: number;
  /** written once the logger's inputs are open; removed when the log is complete */
  readonly pidFile?: string;
  /** FIFO mode (berth starts the logger for `-i` without `-t`): the output FIFOs instead of fds 3/4 */
  readonly stdout?: string;
  readonly stderr?: string;
  /** the container's health check, run by the logger for as long as the container runs */
  readonly health?: LoggerHealth;
  /** TCP ports published on an IPv6 host address: listened on and forwarded while the container runs */
  readonly proxies?: readonly LoggerProxy[];
}

/** Docker's userland proxy for one published port, which NAT cannot do (IPv6 host address, IPv4 container). */
export interface LoggerProxy {
  readonly listenHost: string;
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
}

/**
 * The container's health probes: one process (group) the logger starts with the container and
 * ends with SIGTERM when the container ends. It keeps Docker's schedule itself, so the logger
 * spawns once per start, not once per probe (a spawn costs Node native memory that stays).
 */
export interface LoggerHealth {
  readonly command: readonly string[];
}

const OPTIONAL_STRINGS = ['attach', 'listen', 'holdStdin', 'pidFile', 'stdout', 'stderr'] as const;

export function checkLoggerConfig(value: unknown): LoggerConfig {
  const fail = (what: string): never => {
    throw new Error(`logger config: ${what}`);
  };
  if (typeof value !== 'object' || value === null) fail('not an object');
  const config = value as Record<string, unknown>;
  if (config.driver !== 'json-file' && config.driver !== 'none') fail(`unknown driver ${JSON.stringify(config.driver)}`);
  if (typeof config.logPath !== 'string' || config.logPath === '') fail('logPath must be a path');
  if (!Number.isSafeInteger(config.maxSize) || (config.maxSize as number) < 0) fail('maxSize must be a byte count');
  if (!Number.isSafeInteger(config.maxFile) || (config.maxFile as number) < 1) fail('maxFile must be at least 1');
  for (const key of ['tty', 'reapWhenDeleted'] as const) {
    if (config[key] !== undefined && typeof config[key] !== 'boolean') fail(`${key} must be a boolean`);
  }
  for (const key of OPTIONAL_STRINGS) {
    if (config[key] !== undefined && (typeof config[key] !== 'string' || config[key] === '')) fail(`${key} must be a non-empty string`);
  }
  if (config.attachReaps !== undefined && (!Number.isSafeInteger(config.attachReaps) || (config.attachReaps as number) <= 0)) fail('attachReaps must be a pid');
  if (config.onExit !== undefined) {
    if (!Array.isArray(config.onExit) || config.onExit.length === 0 || !config.onExit.every((arg) => typeof arg === 'string')) {
      fail('onExit must be a non-empty argv');
    }
  }
  if (config.health !== undefined) checkHealth(config.health, fail);
  if (config.proxies !== undefined) checkProxies(config.proxies, fail);
  if ((config.stdout === undefined) !== (config.stderr === undefined) && !config.tty) fail('stdout and stderr FIFOs go together');
  return config as unknown as LoggerConfig;
}

function checkHealth(value: unknown, fail: (what: string) => never): void {
  const command = (value as { command?: unknown } | null)?.command;
  if (!Array.isArray(command) || command.length === 0 || !command.every((arg) => typeof arg === 'string')) fail('health.command must be a non-empty argv');
}

/** argv after the script: containerd passes the URI's query as key, value pairs in random order. */
export function configPathFromArgs(args: readonly string[]): string {
  for (let index = 0; index + 1 < args.length; index += 2) {
    if (args[index] === 'config') return args[index + 1];
  }
  throw new Error('logger: no "config" argument');
}

function checkProxies(value: unknown, fail: (what: string) => never): void {
  const port = (number: unknown) => Number.isSafeInteger(number) && (number as number) > 0 && (number as number) < 65536;
  const valid = (proxy: Partial<LoggerProxy> | null) =>
    typeof proxy?.listenHost === 'string' && typeof proxy.targetHost === 'string' && port(proxy.listenPort) && port(proxy.targetPort);
  if (!Array.isArray(value) || !value.every((proxy) => valid(proxy as Partial<LoggerProxy> | null))) fail('proxies must list host:port pairs');
}

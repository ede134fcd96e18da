// `logs` for one container: what is needed of it is small (ID, namespace, log driver, whether it
// runs), so the command's container lookup stays the command's business.

import type { BerthConfig } from '../../config/config.js';
import { BerthError } from '../../errors.js';
import { containerLogPath } from '../paths.js';
import { CRI_LOG_FORMAT } from './cri-log.js';
import { loggerPidFile, loggerRunning, readLog, type LogSink, type ReadLogOptions } from './read.js';

export interface LogsTarget {
  readonly id: string;
  readonly namespace: string;
  /** `HostConfig.LogConfig.Type` as stored ('' or undefined = json-file) */
  readonly logDriver: string | undefined;
  /** for a Kubernetes container: the CRI-format log containerd's CRI plugin writes ('' when the kubelet asked for none) */
  readonly criLogPath?: string;
  running(): Promise<boolean>;
}

export async function containerLogs(config: BerthConfig, target: LogsTarget, options: ReadLogOptions, sink: LogSink, signal?: AbortSignal): Promise<void> {
  if (target.logDriver === 'none') throw new BerthError('failed-precondition', 'configured logging driver does not support reading');
  if (target.criLogPath !== undefined) {
    if (target.criLogPath === '') throw new BerthError('failed-precondition', 'the container has no log: it was created without a log path');
    // containerd writes the log itself: the container's end is the log's
    const follow = options.follow && (await target.running());
    await readLog(target.criLogPath, { ...options, follow, format: CRI_LOG_FORMAT }, sink, async () => !(await target.running()), signal);
    return;
  }
  const logPath = containerLogPath(config, target.namespace, target.id);
  const pidFile = loggerPidFile(logPath);
  // following a stopped container prints what there is and ends, as Docker does
  const follow = options.follow && ((await target.running()) || loggerRunning(pidFile));
  const complete = async () => !loggerRunning(pidFile) && !(await target.running());
  await readLog(logPath, { ...options, follow }, sink, complete, signal);
}

/** stdout entries to our stdout, stderr entries to our stderr, with backpressure. */
export function processSink(): LogSink {
  return {
    write(stream, text) {
      const out = stream === 'stdout' ? process.stdout : process.stderr;
      if (out.write(text)) return;
      return new Promise<void>((resolve) => out.once('drain', resolve));
    },
  };
}

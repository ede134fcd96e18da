import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';

export default class ContainerLogs extends BerthCommand {
  static summary = 'Fetch the logs of a container';
  static aliases = ['logs'];
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };
  static flags = {
    details: Flags.boolean({ description: 'Show extra details provided to logs' }),
    follow: Flags.boolean({ char: 'f', description: 'Follow log output' }),
    since: Flags.string({ description: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' }),
    tail: Flags.string({ char: 'n', description: 'Number of lines to show from the end of the logs', default: 'all' }),
    timestamps: Flags.boolean({ char: 't', description: 'Show timestamps' }),
    until: Flags.string({ description: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContainerLogs);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { isRunning, storedIntent } = await import('../../runtime/containers/lifecycle.js');
    const { containerLogs, processSink } = await import('../../runtime/logging/logs.js');
    const { parseTail, parseTimeOption } = await import('../../runtime/logging/read.js');
    const { container } = await findContainer(runtime, args.container);
    const now = new Date();
    const options = {
      follow: flags.follow,
      tail: parseTail(flags.tail),
      since: flags.since ? parseTimeOption(flags.since, now, 'since') : undefined,
      until: flags.until ? parseTimeOption(flags.until, now, 'until') : undefined,
      timestamps: flags.timestamps,
      details: flags.details,
    };
    const { criContainerMetadata } = await import('../../runtime/containers/kubernetes.js');
    const cri = criContainerMetadata(container);
    const target = {
      id: container.id,
      namespace: runtime.containerd.namespace,
      logDriver: cri ? undefined : storedIntent(container).HostConfig.LogConfig?.Type,
      criLogPath: cri?.logPath,
      running: () => isRunning(runtime, container.id),
    };
    await containerLogs(runtime.config, target, options, processSink());
  }
}

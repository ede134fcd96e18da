import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { forEachTarget } from '../../cli/targets.js';

export default class ContainerUpdate extends BerthCommand {
  static summary = 'Update configuration of one or more containers';
  static usage = '[OPTIONS] CONTAINER [CONTAINER...]';
  static aliases = ['update'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };
  // values stay text: the runtime parses them as Docker does (sizes, rationals, -1) and names a bad one
  static flags = {
    'blkio-weight': Flags.string({ description: 'block IO (relative weight), between 10 and 1000, or 0 to disable' }),
    'cpu-period': Flags.string({ description: 'limit CPU CFS (Completely Fair Scheduler) period' }),
    'cpu-quota': Flags.string({ description: 'limit CPU CFS (Completely Fair Scheduler) quota' }),
    'cpu-rt-period': Flags.string({ description: 'limit the CPU real-time period in microseconds' }),
    'cpu-rt-runtime': Flags.string({ description: 'limit the CPU real-time runtime in microseconds' }),
    'cpu-shares': Flags.string({ char: 'c', description: 'CPU shares (relative weight)' }),
    cpus: Flags.string({ description: 'number of CPUs' }),
    'cpuset-cpus': Flags.string({ description: 'CPUs in which to allow execution (0-3, 0,1)' }),
    'cpuset-mems': Flags.string({ description: 'MEMs in which to allow execution (0-3, 0,1)' }),
    memory: Flags.string({ char: 'm', description: 'memory limit' }),
    'memory-reservation': Flags.string({ description: 'memory soft limit' }),
    'memory-swap': Flags.string({ description: 'swap limit equal to memory plus swap: -1 to enable unlimited swap' }),
    'pids-limit': Flags.string({ description: 'tune container pids limit (set -1 for unlimited)' }),
    restart: Flags.string({ description: 'restart policy to apply when a container exits' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerUpdate);
    const { parseUpdateFlags, updateContainer } = await import('../../runtime/containers/update.js');
    const update = parseUpdateFlags(flags);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    await forEachTarget(argv as string[], async (ref) => {
      await updateContainer(runtime, await findContainer(runtime, ref), update);
      this.print(ref);
    });
  }
}

import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { guardKubeletObject } from '../../cli/kubelet-guard.js';
import { forEachTarget } from '../../cli/targets.js';

export default class ContainerKill extends BerthCommand {
  static summary = 'Kill one or more running containers';
  static aliases = ['kill'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };
  static flags = {
    signal: Flags.string({ char: 's', description: 'signal to send to the container', default: 'KILL' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerKill);
    (await import('../../runtime/signals.js')).parseSignal(flags.signal);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { killContainer } = await import('../../runtime/containers/lifecycle.js');
    await forEachTarget(argv as string[], async (ref) => {
      const { container } = await findContainer(runtime, ref);
      // CRI has no call for signals: containerd's task exit event tells CRI what happened
      guardKubeletObject(container, 'kill');
      await killContainer(runtime, container, flags.signal);
      this.print(ref);
    });
  }
}

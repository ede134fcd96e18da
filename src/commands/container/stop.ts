import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { stopFlags } from '../../cli/flags.js';
import { guardKubeletObject } from '../../cli/kubelet-guard.js';
import { forEachTarget } from '../../cli/targets.js';

export default class ContainerStop extends BerthCommand {
  static summary = 'Stop one or more running containers';
  static aliases = ['stop'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };
  static flags = stopFlags;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerStop);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { stopContainer } = await import('../../runtime/containers/lifecycle.js');
    if (flags.signal !== undefined) (await import('../../runtime/signals.js')).parseSignal(flags.signal);
    await forEachTarget(argv as string[], async (ref) => {
      const { container } = await findContainer(runtime, ref);
      const kubelet = guardKubeletObject(container, 'stop', { signal: flags.signal });
      if (kubelet) await (await import('../../runtime/cri/runtime-service.js')).stopThroughCri(runtime, kubelet.object, flags.timeout);
      else await stopContainer(runtime, container, { timeoutSeconds: flags.timeout, signal: flags.signal });
      this.print(ref);
    });
  }
}

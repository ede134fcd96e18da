import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { stopFlags } from '../../cli/flags.js';
import { guardKubeletObject } from '../../cli/kubelet-guard.js';
import { forEachTarget } from '../../cli/targets.js';

export default class ContainerRestart extends BerthCommand {
  static summary = 'Restart one or more containers';
  static aliases = ['restart'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };
  static flags = stopFlags;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerRestart);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const lifecycle = await import('../../runtime/containers/lifecycle.js');
    if (flags.signal !== undefined) (await import('../../runtime/signals.js')).parseSignal(flags.signal);
    await forEachTarget(argv as string[], async (ref) => {
      const { container } = await findContainer(runtime, ref);
      // the kubelet, not berth, starts its containers again: a new one, after CRI stopped this
      const kubelet = guardKubeletObject(container, 'restart', { signal: flags.signal });
      if (kubelet) {
        await (await import('../../runtime/cri/runtime-service.js')).stopThroughCri(runtime, kubelet.object, flags.timeout);
        this.print(ref);
        return;
      }
      await lifecycle.stopContainer(runtime, container, { timeoutSeconds: flags.timeout, signal: flags.signal, keepAutoRemoved: true });
      const started = await lifecycle.startContainer(runtime, container, { attach: false, openStdin: lifecycle.storedIntent(container).OpenStdin === true });
      await started.io.release();
      this.print(ref);
    });
  }
}

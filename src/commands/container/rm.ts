import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { guardKubeletObject } from '../../cli/kubelet-guard.js';
import { forEachTarget } from '../../cli/targets.js';
import { usageError } from '../../errors.js';

export default class ContainerRemove extends BerthCommand {
  static summary = 'Remove one or more containers';
  static aliases = ['rm', 'container:remove'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };
  static flags = {
    force: Flags.boolean({ char: 'f', description: 'force the removal of a running container (uses SIGKILL)' }),
    volumes: Flags.boolean({ char: 'v', description: 'remove anonymous volumes associated with the container' }),
    link: Flags.boolean({ char: 'l', description: 'remove the specified link (not supported)' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerRemove);
    if (flags.link) throw usageError('--link is not supported: berth has no legacy container links');
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { removeContainer } = await import('../../runtime/containers/lifecycle.js');
    await forEachTarget(argv as string[], async (ref) => {
      const { container } = await findContainer(runtime, ref);
      const kubelet = guardKubeletObject(container, 'rm', { force: flags.force });
      if (kubelet) await (await import('../../runtime/cri/runtime-service.js')).removeThroughCri(runtime, kubelet.object);
      else await removeContainer(runtime, container, { force: flags.force, volumes: flags.volumes });
      this.print(ref);
    });
  }
}

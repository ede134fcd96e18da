import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { forEachTarget } from '../../cli/targets.js';

export default class ContainerPause extends BerthCommand {
  static summary = 'Pause all processes within one or more containers';
  static aliases = ['pause'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'container names or IDs' }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(ContainerPause);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { pauseContainer } = await import('../../runtime/containers/pause.js');
    await forEachTarget(argv as string[], async (ref) => {
      await pauseContainer(runtime, await findContainer(runtime, ref));
      this.print(ref);
    });
  }
}

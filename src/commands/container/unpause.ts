import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { forEachTarget } from '../../cli/targets.js';

export default class ContainerUnpause extends BerthCommand {
  static summary = 'Unpause all processes within one or more containers';
  static aliases = ['unpause'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'container names or IDs' }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(ContainerUnpause);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { unpauseContainer } = await import('../../runtime/containers/pause.js');
    await forEachTarget(argv as string[], async (ref) => {
      await unpauseContainer(runtime, await findContainer(runtime, ref));
      this.print(ref);
    });
  }
}

import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { forEachTarget } from '../../cli/targets.js';

export default class ContainerWait extends BerthCommand {
  static summary = 'Block until one or more containers stop, then print their exit codes';
  static aliases = ['wait'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(ContainerWait);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { waitForContainer } = await import('../../runtime/containers/wait.js');
    await forEachTarget(argv as string[], async (ref) => {
      const { container } = await findContainer(runtime, ref);
      this.print(String(await waitForContainer(runtime, container.id)));
    });
  }
}

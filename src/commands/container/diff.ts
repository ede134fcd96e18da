import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';

export default class ContainerDiff extends BerthCommand {
  static summary = "Inspect changes to files or directories on a container's filesystem";
  static aliases = ['diff'];
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };

  async run(): Promise<void> {
    const { args } = await this.parse(ContainerDiff);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { containerChanges } = await import('../../runtime/containers/filesystem.js');
    const changes = await containerChanges(runtime, await findContainer(runtime, args.container));
    for (const change of changes) this.print(`${change.kind} ${change.path}`);
  }
}

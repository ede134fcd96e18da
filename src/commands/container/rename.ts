import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { BerthError } from '../../errors.js';

export default class ContainerRename extends BerthCommand {
  static summary = 'Rename a container';
  static usage = 'CONTAINER NEW_NAME';
  static aliases = ['rename'];
  static args = {
    container: Args.string({ required: true, description: 'container name or ID' }),
    name: Args.string({ required: true, description: 'the new name' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(ContainerRename);
    if (args.container.trim() === '' || args.name.trim() === '') {
      throw new BerthError('invalid-argument', 'Error: Neither old nor new names may be empty');
    }
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { renameContainer } = await import('../../runtime/containers/rename.js');
    await renameContainer(runtime, await findContainer(runtime, args.container), args.name);
  }
}

import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { CREATE_FLAGS } from '../../cli/container-flags.js';

export default class ContainerCreate extends BerthCommand {
  static summary = 'Create a new container';
  static usage = 'create [OPTIONS] IMAGE [COMMAND] [ARG...]';
  static aliases = ['create'];
  static strict = false;
  static splitAtFirstPositional = true;
  static args = { image: Args.string({ required: true, description: 'image to create the container from' }) };
  static flags = CREATE_FLAGS;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerCreate);
    const [image, ...args] = argv as string[];
    const { toRunRequest } = await import('../../runtime/create-options.js');
    const { intent, options } = toRunRequest(flags, image, args);
    const { createFromFlags } = await import('../../cli/create-flow.js');
    const { container } = await createFromFlags(await this.runtime(), intent, options);
    this.print(container.id);
  }
}

import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { containerArgv, CREATE_FLAGS } from '../../cli/container-flags.js';

export default class ContainerCreate extends BerthCommand {
  static summary = 'Create a new container';
  static usage = '[OPTIONS] IMAGE [COMMAND] [ARG...]';
  static aliases = ['create'];
  static strict = false;
  static splitAtFirstPositional = true;
  static args = { image: Args.string({ required: true, description: 'image to create the container from' }) };
  static flags = CREATE_FLAGS;

  async run(): Promise<void> {
    const parsed = await this.parse(ContainerCreate);
    const { flags } = parsed;
    // oclif's argv orders words by first appearance in the whole line: the raw tokens keep their order
    const [image, ...args] = containerArgv(parsed);
    const { toRunRequest } = await import('../../runtime/create-options.js');
    const { intent, options } = toRunRequest(flags, image, args);
    // as Docker's CLI: a `-t` container starts with the size of the terminal berth runs in
    if (intent.Tty && process.stdout.isTTY) intent.HostConfig.ConsoleSize = [process.stdout.rows, process.stdout.columns];
    const { createFromFlags } = await import('../../cli/create-flow.js');
    const { container } = await createFromFlags(await this.runtime(), intent, options);
    this.print(container.id);
  }
}

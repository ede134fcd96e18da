import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { containerArgv } from '../../cli/container-flags.js';

export default class ContainerTop extends BerthCommand {
  static summary = 'Display the running processes of a container';
  static usage = 'CONTAINER [ps OPTIONS]';
  static aliases = ['top'];
  static strict = false;
  // everything after the container is ps's: `top web -o pid,comm`
  static splitAtFirstPositional = true;
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };

  async run(): Promise<void> {
    const parsed = await this.parse(ContainerTop);
    const [ref, ...psArgs] = containerArgv(parsed);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { containerTop } = await import('../../runtime/containers/top.js');
    const list = await containerTop(runtime, await findContainer(runtime, ref), psArgs.join(' '));
    const { tabwrite } = await import('../../format/output.js');
    const lines = [list.titles, ...list.processes].map((cells) => `${cells.join('\t')}\n`).join('');
    process.stdout.write(tabwrite(lines, { minWidth: 20, padding: 3 }));
  }
}

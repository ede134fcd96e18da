import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { objectFormatFlag } from '../../cli/flags.js';

export default class ContainerInspect extends BerthCommand {
  static summary = 'Display detailed information on one or more containers';
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };
  static flags = {
    format: objectFormatFlag,
    size: Flags.boolean({ char: 's', description: 'display total file sizes' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerInspect);
    const { containerInspector } = await import('../../cli/inspect-objects.js');
    const { printInspect } = await import('../../format/inspect.js');
    const inspect = await containerInspector(await this.runtime(), argv as string[], { size: flags.size });
    await printInspect(argv as string[], inspect, flags.format);
  }
}

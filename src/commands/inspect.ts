import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../cli/base-command.js';
import { objectFormatFlag } from '../cli/flags.js';

export default class Inspect extends BerthCommand {
  static summary = 'Return low-level information on Docker objects';
  static strict = false;
  static args = { object: Args.string({ required: true, description: 'name or ID of a container or an image' }) };
  static flags = {
    format: objectFormatFlag,
    size: Flags.boolean({ char: 's', description: 'display total file sizes if the type is container' }),
    type: Flags.string({ description: 'only inspect objects of the given type (container or image)' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Inspect);
    const { objectInspector } = await import('../cli/inspect-objects.js');
    const { printInspect } = await import('../format/inspect.js');
    const inspect = await objectInspector(await this.runtime(), argv as string[], { size: flags.size, type: flags.type });
    await printInspect(argv as string[], inspect, flags.format);
  }
}

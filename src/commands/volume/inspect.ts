import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { objectFormatFlag } from '../../cli/flags.js';

export default class VolumeInspect extends BerthCommand {
  static summary = 'Display detailed information on one or more volumes';
  static strict = false;
  static args = { volume: Args.string({ required: true, description: 'volume name' }) };
  static flags = { format: objectFormatFlag };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(VolumeInspect);
    const { getVolume } = await import('../../runtime/volumes/store.js');
    const { printInspect } = await import('../../format/inspect.js');
    const runtime = await this.runtime();
    await printInspect(argv as string[], (name) => getVolume(runtime, name), flags.format);
  }
}

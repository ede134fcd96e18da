import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { objectFormatFlag } from '../../cli/flags.js';
import { openImageStore } from '../../cli/image-context.js';

export default class ImageInspect extends BerthCommand {
  static summary = 'Display detailed information on one or more images';
  static strict = false;
  static args = { image: Args.string({ required: true, description: 'image name or ID' }) };
  static flags = { format: objectFormatFlag };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ImageInspect);
    const { inspectImage } = await import('../../image/inspect.js');
    const { printInspect } = await import('../../format/inspect.js');
    const store = await openImageStore(await this.runtime());
    await printInspect(argv as string[], (name) => inspectImage(store, name), flags.format);
  }
}

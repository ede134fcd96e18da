import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { openImageStore } from '../../cli/image-context.js';
import { forEachTarget } from '../../cli/targets.js';

export default class ImageRemove extends BerthCommand {
  static summary = 'Remove one or more images';
  static aliases = ['rmi', 'image:remove'];
  static strict = false;
  static args = { image: Args.string({ required: true, description: 'image name or ID' }) };
  static flags = {
    force: Flags.boolean({ char: 'f', description: 'force removal of the image' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ImageRemove);
    const { removeImage } = await import('../../image/remove.js');
    const store = await openImageStore(await this.runtime());
    await forEachTarget(argv as string[], async (name) => {
      const lines = await removeImage(store, name, { force: flags.force });
      this.print(lines.map((line) => `${line.action}: ${line.subject}`).join('\n'));
    });
  }
}

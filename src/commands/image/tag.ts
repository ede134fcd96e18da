import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { openImageStore } from '../../cli/image-context.js';

export default class ImageTag extends BerthCommand {
  static summary = 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE';
  static usage = 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]';
  static aliases = ['tag'];
  static args = {
    source: Args.string({ required: true, description: 'SOURCE_IMAGE[:TAG]: a name, an image ID or a prefix of one' }),
    target: Args.string({ required: true, description: 'TARGET_IMAGE[:TAG]' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(ImageTag);
    const { parseReference } = await import('../../image/reference.js');
    const { tagImage } = await import('../../image/tag.js');
    const target = parseReference(args.target);
    await tagImage(await openImageStore(await this.runtime()), args.source, target);
  }
}

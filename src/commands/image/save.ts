import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { openImageStore } from '../../cli/image-context.js';
import { BerthError } from '../../errors.js';

export default class ImageSave extends BerthCommand {
  static summary = 'Save one or more images to a tar archive (streamed to STDOUT by default)';
  static aliases = ['save'];
  static strict = false;
  static args = { image: Args.string({ required: true, description: 'image names or IDs' }) };
  static flags = {
    output: Flags.string({ char: 'o', description: 'write to a file, instead of STDOUT', helpValue: 'string' }),
    platform: Flags.string({ description: 'save this platform of multi-platform images (os/arch[/variant])', helpValue: 'string' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ImageSave);
    const names = argv as string[];
    if (flags.output === undefined && process.stdout.isTTY) {
      throw new BerthError('failed-precondition', 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const { parsePlatform } = await import('../../image/platform.js');
    const { saveImages } = await import('../../image/archive/save.js');
    const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
    const store = await openImageStore(await this.runtime());
    await saveImages(store, { names, platform }, flags.output === undefined ? { stream: process.stdout } : { file: flags.output });
  }
}

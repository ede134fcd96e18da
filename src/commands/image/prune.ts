import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { confirm } from '../../cli/confirm.js';
import { openImageStore } from '../../cli/image-context.js';

export default class ImagePrune extends BerthCommand {
  static summary = 'Remove unused images';
  static flags = {
    all: Flags.boolean({ char: 'a', description: 'remove all images not used by a container, not just dangling ones' }),
    filter: Flags.string({ description: "provide filter values (e.g. 'until=24h', 'label=k=v')", multiple: true, multipleNonGreedy: true }),
    force: Flags.boolean({ char: 'f', description: 'do not prompt for confirmation' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ImagePrune);
    const warning = flags.all
      ? 'WARNING! This will remove all images without at least one container associated to them.'
      : 'WARNING! This will remove all dangling images.';
    if (!flags.force && !(await confirm(warning))) return;
    const { deletedImagesText, pruneImages } = await import('../../image/remove.js');
    const { humanSize } = await import('../../format/units.js');
    const result = await pruneImages(await openImageStore(await this.runtime()), { all: flags.all, filters: flags.filter ?? [] });
    process.stdout.write(deletedImagesText(result.lines));
    this.print(`Total reclaimed space: ${humanSize(result.reclaimed)}`);
  }
}

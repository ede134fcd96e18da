import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { openImageStore } from '../../cli/image-context.js';
import { BerthError } from '../../errors.js';

export default class ImageLoad extends BerthCommand {
  static summary = 'Load an image from a tar archive or STDIN';
  static description = 'Reads what `docker save` writes (also the layout of Docker before 25), and tarred OCI image layouts; plain or gzip.';
  static aliases = ['load'];
  static flags = {
    input: Flags.string({ char: 'i', description: 'read from a tar archive file, instead of STDIN', helpValue: 'string' }),
    quiet: Flags.boolean({ char: 'q', description: 'suppress the load output' }),
    platform: Flags.string({ description: 'load this platform of multi-platform images (os/arch[/variant])', helpValue: 'string' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ImageLoad);
    if (flags.input === undefined && process.stdin.isTTY) throw new BerthError('failed-precondition', 'requested load from stdin, but stdin is empty');
    const { parsePlatform } = await import('../../image/platform.js');
    const { loadImages } = await import('../../image/archive/load.js');
    const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
    const store = await openImageStore(await this.runtime());
    const loaded = await loadImages(store, flags.input === undefined ? { stream: process.stdin } : { file: flags.input }, {
      platform,
      onLayer: flags.quiet ? undefined : (digest) => process.stderr.write(`${digest.replace(/^[^:]+:/, '').slice(0, 12)}: Loading layer\n`),
    });
    for (const image of loaded) {
      if (image.names.length === 0) this.print(`Loaded image ID: ${image.configDigest}`);
      for (const name of image.names) this.print(`Loaded image: ${name}`);
    }
  }
}

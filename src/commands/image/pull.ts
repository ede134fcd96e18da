import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { openImageStore, openRegistry } from '../../cli/image-context.js';
import { usageError } from '../../errors.js';

export default class ImagePull extends BerthCommand {
  static summary = 'Download an image from a registry';
  static aliases = ['pull'];
  static args = { name: Args.string({ required: true, description: 'NAME[:TAG|@DIGEST]' }) };
  static flags = {
    platform: Flags.string({ description: 'pull the image for this platform (os/arch[/variant])' }),
    'all-platforms': Flags.boolean({ description: 'pull the content of every platform (unpacks none)' }),
    quiet: Flags.boolean({ char: 'q', description: 'suppress verbose output' }),
    'all-tags': Flags.boolean({ char: 'a', description: 'download all tagged images in the repository (not supported yet)' }),
    'disable-content-trust': Flags.boolean({ description: 'skip image verification (always true: berth does not verify signatures)', default: true, allowNo: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImagePull);
    if (flags['all-tags']) throw usageError('--all-tags is not supported yet');
    if (flags.platform && flags['all-platforms']) throw usageError('--platform and --all-platforms cannot be used together');
    const { parseReference } = await import('../../image/reference.js');
    const { parsePlatform } = await import('../../image/platform.js');
    const { pullImage } = await import('../../image/pull.js');
    const progressModule = await import('../../format/pull-progress.js');
    const reference = parseReference(args.name);
    const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
    const runtime = await this.runtime();
    const registry = await openRegistry(runtime.config, reference.domain);
    const progress = await progressModule.pullProgressFor(flags.quiet, process.stderr);
    const tagged = reference.digest !== undefined || /:[^/]+$/.test(args.name);
    if (!tagged && !flags.quiet) process.stderr.write(`Using default tag: ${reference.tag}\n`);
    try {
      const result = await pullImage(await openImageStore(runtime), registry, { reference, platform, allPlatforms: flags['all-platforms'], maxConcurrentDownloads: runtime.config.maxConcurrentDownloads }, progress);
      progress.finish();
      if (!flags.quiet) {
        const shown = reference.digest ? `${reference.familiar}@${reference.digest}` : `${reference.familiar}:${reference.tag}`;
        this.print(`Digest: ${result.digest}`);
        this.print(result.changed ? `Status: Downloaded newer image for ${shown}` : `Status: Image is up to date for ${shown}`);
      }
      this.print(reference.toString());
    } finally {
      progress.finish();
      await registry.close();
    }
  }
}

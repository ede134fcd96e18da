import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { openImageStore, openRegistry } from '../../cli/image-context.js';
import { usageError } from '../../errors.js';

export default class ImagePush extends BerthCommand {
  static summary = 'Upload an image to a registry';
  static aliases = ['push'];
  static args = { name: Args.string({ required: true, description: 'NAME[:TAG]' }) };
  static flags = {
    'all-tags': Flags.boolean({ char: 'a', description: 'push all tags of an image to the repository' }),
    platform: Flags.string({ description: "push only this platform's manifest of a multi-platform image, as a single-platform image" }),
    quiet: Flags.boolean({ char: 'q', description: 'suppress verbose output' }),
    'disable-content-trust': Flags.boolean({ description: 'skip image signing (always true: berth does not sign images)', default: true, allowNo: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImagePush);
    const { parseReference } = await import('../../image/reference.js');
    const { parsePlatform } = await import('../../image/platform.js');
    const { pushImage, repositoryTags } = await import('../../image/push.js');
    const progressModule = await import('../../format/push-progress.js');
    const reference = parseReference(args.name);
    // The last path component holds the tag or digest, if the user gave one (`host:5000/app` has none).
    const tagged = /[:@]/.test(args.name.slice(args.name.lastIndexOf('/') + 1));
    if (flags['all-tags'] && tagged) throw usageError("tag can't be used with --all-tags/-a");
    if (reference.digest) throw usageError('cannot push a digest reference');
    const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
    const progress = flags.quiet
      ? progressModule.quietPushProgress()
      : process.stderr.isTTY
        ? progressModule.terminalPushProgress(process.stderr)
        : progressModule.plainPushProgress(process.stderr);

    const runtime = await this.runtime();
    const store = await openImageStore(runtime);
    const references = flags['all-tags'] ? await repositoryTags(store, reference) : [reference];
    if (!flags['all-tags'] && !tagged) progress.note(`Using default tag: ${reference.tag}`);
    if (platform) {
      progress.note('Using --platform pushes only the specified platform manifest of a multi-platform image index.\nOther components, like attestations, will not be included.\nTo push the complete multi-platform image, remove the --platform flag.');
    }
    const registry = await openRegistry(runtime.config, reference.domain);
    try {
      progress.start(reference);
      for (const each of references) {
        const result = await pushImage(store, registry, { reference: each, platform }, progress);
        progress.finish();
        if (!flags.quiet) this.print(`${result.tag}: digest: ${result.digest} size: ${result.size}`);
        if (result.instead) {
          progress.note(`Not all multiplatform-content is present and only the available single-platform image was pushed\n${result.instead.index} -> ${result.instead.manifest}`);
        }
      }
    } finally {
      progress.finish();
      await registry.close();
    }
    // Docker's -q names what was pushed: the tag, or the repository with --all-tags.
    if (flags.quiet) this.print(flags['all-tags'] ? reference.name : reference.toString());
  }
}

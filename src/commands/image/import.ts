import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { openImageStore } from '../../cli/image-context.js';
import { BerthError, usageError } from '../../errors.js';

export default class ImageImport extends BerthCommand {
  static summary = 'Import the contents from a tarball to create a filesystem image';
  static aliases = ['import'];
  static args = {
    file: Args.string({ required: true, description: 'a root filesystem tarball (plain or gzip), or - for STDIN' }),
    repository: Args.string({ description: 'REPOSITORY[:TAG]: the name of the image' }),
  };
  static flags = {
    change: Flags.string({
      char: 'c',
      description: 'apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR); repeatable',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'list',
    }),
    message: Flags.string({ char: 'm', description: 'set a commit message for the imported image', helpValue: 'string' }),
    platform: Flags.string({ description: 'set the platform of the image (os/arch[/variant]); default: the host\'s', helpValue: 'string' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImageImport);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(args.file)) {
      throw new BerthError('not-implemented', `importing from a URL is not supported: download "${args.file}" first, then import the file (or pipe it to "berth import -")`);
    }
    const { parseReference } = await import('../../image/reference.js');
    const { parsePlatform } = await import('../../image/platform.js');
    const { importImage } = await import('../../image/archive/import.js');
    const reference = args.repository === undefined ? undefined : parseReference(args.repository);
    if (reference?.digest) throw usageError(`cannot import into a digest reference "${args.repository}": name the image REPOSITORY[:TAG]`);
    const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
    const store = await openImageStore(await this.runtime());
    const result = await importImage(store, args.file === '-' ? { stream: process.stdin } : { file: args.file }, {
      reference,
      changes: flags.change ?? [],
      message: flags.message,
      platform,
    });
    this.print(result.configDigest);
  }
}

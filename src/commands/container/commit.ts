import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { usageError } from '../../errors.js';

export default class ContainerCommit extends BerthCommand {
  static summary = "Create a new image from a container's changes";
  static aliases = ['commit'];
  static args = {
    container: Args.string({ required: true, description: 'container name or ID' }),
    repository: Args.string({ description: 'REPOSITORY[:TAG]: the name of the new image' }),
  };
  static flags = {
    author: Flags.string({ char: 'a', description: 'author (e.g., "John Hannibal Smith <hannibal@a-team.com>")', helpValue: 'string' }),
    change: Flags.string({
      char: 'c',
      description: 'apply a Dockerfile instruction to the created image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR); repeatable',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'list',
    }),
    message: Flags.string({ char: 'm', description: 'commit message', helpValue: 'string' }),
    pause: Flags.boolean({ char: 'p', description: 'pause container during commit (default true)', default: true, allowNo: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContainerCommit);
    const { parseReference } = await import('../../image/reference.js');
    const reference = args.repository === undefined ? undefined : parseReference(args.repository);
    if (reference?.digest) throw usageError(`invalid reference format: "${args.repository}": a digest cannot name a committed image`);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { commitContainer } = await import('../../runtime/containers/commit.js');
    const result = await commitContainer(runtime, await findContainer(runtime, args.container), {
      reference,
      changes: flags.change ?? [],
      author: flags.author,
      comment: flags.message,
      pause: flags.pause,
    });
    this.print(result.configDigest);
  }
}

import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';

export default class ContainerCopy extends BerthCommand {
  static summary = 'Copy files/folders between a container and the local filesystem';
  static description = `Use '-' as the source to read a tar archive from stdin
and extract it to a directory destination in a container.
Use '-' as the destination to stream a tar archive of a
container source to stdout.`;
  static usage = ['[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-', '[OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH'];
  static aliases = ['cp'];
  static args = {
    source: Args.string({ required: true, description: 'CONTAINER:SRC_PATH, a local path, or - for a tar stream on stdin' }),
    destination: Args.string({ required: true, description: 'CONTAINER:DEST_PATH, a local path, or - for a tar stream on stdout' }),
  };
  static flags = {
    archive: Flags.boolean({ char: 'a', description: "archive mode: files copied into a container become its user's (without it they keep their uid/gid)" }),
    'follow-link': Flags.boolean({ char: 'L', description: 'Always follow symbol link in SRC_PATH' }),
    quiet: Flags.boolean({
      char: 'q',
      description: 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContainerCopy);
    const { copyDirection } = await import('../../runtime/containers/copy-paths.js');
    const direction = copyDirection(args.source, args.destination);
    const { copyFromContainer, copyToContainer } = await import('../../runtime/containers/copy.js');
    const { copyProgress } = await import('../../format/copy-progress.js');
    // as docker: without -q, progress is still left out when stdout is not a terminal
    const quiet = flags.quiet || !process.stdout.isTTY;
    const progress = quiet ? undefined : copyProgress(process.stderr, direction.direction);
    const options = {
      ...direction,
      followLink: flags['follow-link'],
      archive: flags.archive,
      cwd: process.cwd(),
      stdin: process.stdin,
      stdout: process.stdout,
      onBytes: progress?.bytes,
    };
    const runtime = await this.runtime();
    let copiedTo: string | undefined;
    try {
      copiedTo = direction.direction === 'from' ? await copyFromContainer(runtime, options) : await copyToContainer(runtime, options);
    } finally {
      progress?.finish(copiedTo);
    }
  }
}

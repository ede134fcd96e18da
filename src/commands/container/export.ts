import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { BerthError } from '../../errors.js';

export default class ContainerExport extends BerthCommand {
  static summary = "Export a container's filesystem as a tar archive";
  static aliases = ['export'];
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };
  static flags = {
    output: Flags.string({ char: 'o', description: 'write to a file, instead of STDOUT', helpValue: 'string' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContainerExport);
    if (flags.output === undefined && process.stdout.isTTY) {
      throw new BerthError('failed-precondition', 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { exportRootfs } = await import('../../runtime/containers/filesystem.js');
    const { openDestination } = await import('../../image/archive/files.js');
    const record = await findContainer(runtime, args.container);
    const output = await openDestination(flags.output === undefined ? { stream: process.stdout } : { file: flags.output });
    try {
      await exportRootfs(runtime, record, output.stream);
      await output.commit();
    } catch (error) {
      await output.discard();
      throw error;
    }
  }
}

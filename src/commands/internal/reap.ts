import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';

/**
 * Started (detached) by a container's logger when the container's output has ended: records
 * the exit, frees the task's shim and, for `--rm`, removes the container. Not for users.
 */
export default class InternalReap extends BerthCommand {
  static hidden = true;
  static summary = "record a finished container's exit (run by berth's logger)";
  static args = { id: Args.string({ required: true, description: 'container ID' }) };
  static flags = { remove: Flags.boolean({ description: 'remove the container too (--rm)' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(InternalReap);
    const { reapContainer } = await import('../../runtime/containers/lifecycle.js');
    await reapContainer(await this.runtime(), args.id, flags.remove);
  }
}

import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { forEachTarget } from '../../cli/targets.js';

export default class NetworkRemove extends BerthCommand {
  static summary = 'Remove one or more networks';
  static aliases = ['network:remove'];
  static strict = false;
  static args = { network: Args.string({ required: true, description: 'network name or ID' }) };
  static flags = { force: Flags.boolean({ char: 'f', description: 'do not error if the network does not exist' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(NetworkRemove);
    const { removeUserNetwork } = await import('../../runtime/network/manage.js');
    const { isBerthError } = await import('../../errors.js');
    const runtime = await this.runtime();
    await forEachTarget(argv as string[], async (ref) => {
      try {
        await removeUserNetwork(runtime.config, ref);
      } catch (error) {
        if (flags.force && isBerthError(error, 'not-found')) return;
        throw error;
      }
      this.print(ref);
    });
  }
}

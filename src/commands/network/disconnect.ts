import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';

export default class NetworkDisconnect extends BerthCommand {
  static summary = 'Disconnect a container from a network';
  static args = {
    network: Args.string({ required: true, description: 'network name' }),
    container: Args.string({ required: true, description: 'container name or ID' }),
  };
  static flags = { force: Flags.boolean({ char: 'f', description: 'force the container to disconnect from a network' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetworkDisconnect);
    const { disconnectNetwork } = await import('../../runtime/containers/networks.js');
    await disconnectNetwork(await this.runtime(), args.container, args.network, { force: flags.force });
  }
}

import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';

export default class NetworkConnect extends BerthCommand {
  static summary = 'Connect a container to a network';
  static args = {
    network: Args.string({ required: true, description: 'network name' }),
    container: Args.string({ required: true, description: 'container name or ID' }),
  };
  static flags = {
    alias: Flags.string({ description: 'add network-scoped alias for the container', multiple: true, multipleNonGreedy: true }),
    ip: Flags.string({ description: 'IPv4 address (e.g., 10.214.0.10)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetworkConnect);
    const { connectNetwork } = await import('../../runtime/containers/networks.js');
    await connectNetwork(await this.runtime(), args.container, { network: args.network, aliases: flags.alias ?? [], ipv4Address: flags.ip });
  }
}

import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { labelFlag } from '../../cli/flags.js';

export default class NetworkCreate extends BerthCommand {
  static summary = 'Create a network';
  static args = { name: Args.string({ required: true, description: 'network name' }) };
  static flags = {
    driver: Flags.string({ char: 'd', description: 'driver to manage the network (bridge only)', default: 'bridge' }),
    subnet: Flags.string({ description: 'subnet in CIDR format that represents a network segment' }),
    gateway: Flags.string({ description: 'IPv4 gateway for the master subnet' }),
    'ip-range': Flags.string({ description: 'allocate container IPs from a sub-range' }),
    internal: Flags.boolean({ description: 'restrict external access to the network' }),
    label: labelFlag,
    opt: Flags.string({ char: 'o', description: 'driver specific options (com.docker.network.bridge.name)', multiple: true, multipleNonGreedy: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetworkCreate);
    const { parseLabels } = await import('../../runtime/namespaces.js');
    const { createUserNetwork } = await import('../../runtime/network/manage.js');
    const runtime = await this.runtime();
    const network = await createUserNetwork(runtime.config, {
      name: args.name,
      driver: flags.driver,
      subnet: flags.subnet,
      gateway: flags.gateway,
      ipRange: flags['ip-range'],
      internal: flags.internal,
      labels: parseLabels(flags.label ?? []),
      options: parseLabels(flags.opt ?? []),
    });
    this.print(network.id);
  }
}

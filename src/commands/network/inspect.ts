import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { objectFormatFlag } from '../../cli/flags.js';

export default class NetworkInspect extends BerthCommand {
  static summary = 'Display detailed information on one or more networks';
  static strict = false;
  static args = { network: Args.string({ required: true, description: 'network name or ID' }) };
  static flags = { format: objectFormatFlag };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(NetworkInspect);
    const { inspectNetwork } = await import('../../runtime/network/manage.js');
    const { printInspect } = await import('../../format/inspect.js');
    const runtime = await this.runtime();
    await printInspect(argv as string[], (ref) => inspectNetwork(runtime.config, runtime.containerd.namespace, ref), flags.format);
  }
}

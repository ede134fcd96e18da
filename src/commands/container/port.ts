import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { BerthError } from '../../errors.js';

export default class ContainerPort extends BerthCommand {
  static summary = 'List port mappings or a specific mapping for the container';
  static aliases = ['port'];
  static args = {
    container: Args.string({ required: true, description: 'container name or ID' }),
    'private-port': Args.string({ required: false, description: 'PRIVATE_PORT[/PROTO]' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(ContainerPort);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { publishedPortLines } = await import('../../runtime/containers/ports.js');
    const record = await findContainer(runtime, args.container);
    const lines = publishedPortLines(record, args['private-port']);
    if (lines === undefined) {
      throw new BerthError('not-found', `No public port '${args['private-port']!.includes('/') ? args['private-port'] : `${args['private-port']}/tcp`}' published for ${args.container}`);
    }
    if (lines.length > 0) this.print(lines.join('\n'));
  }
}

import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { objectFormatFlag } from '../../cli/flags.js';

export default class NamespaceInspect extends BerthCommand {
  static summary = 'Display detailed information on one or more namespaces';
  static strict = false;
  static args = { name: Args.string({ required: true, description: 'namespace name' }) };
  static flags = { format: objectFormatFlag };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(NamespaceInspect);
    const { inspectNamespace } = await import('../../runtime/namespaces.js');
    const { printInspect } = await import('../../format/inspect.js');
    const runtime = await this.runtime();
    await printInspect(argv as string[], (name) => inspectNamespace(runtime, name), flags.format);
  }
}

import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { labelFlag } from '../../cli/flags.js';

export default class NamespaceCreate extends BerthCommand {
  static summary = 'Create a containerd namespace';
  static args = { name: Args.string({ required: true, description: 'namespace name' }) };
  static flags = { label: labelFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NamespaceCreate);
    const { createNamespace, parseLabels } = await import('../../runtime/namespaces.js');
    await createNamespace(await this.runtime(), args.name, parseLabels(flags.label ?? []));
  }
}

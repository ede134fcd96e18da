import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { labelFlag } from '../../cli/flags.js';
import { usageError } from '../../errors.js';

export default class NamespaceUpdate extends BerthCommand {
  static summary = "Update a containerd namespace's labels";
  static args = { name: Args.string({ required: true, description: 'namespace name' }) };
  static flags = { label: labelFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NamespaceUpdate);
    if (!flags.label?.length) throw usageError('namespace update needs at least one --label key=value');
    const { parseLabels, updateNamespaceLabels } = await import('../../runtime/namespaces.js');
    await updateNamespaceLabels(await this.runtime(), args.name, parseLabels(flags.label));
  }
}

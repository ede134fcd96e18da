import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { forEachTarget } from '../../cli/targets.js';

export default class NamespaceRemove extends BerthCommand {
  static summary = 'Remove one or more namespaces';
  static description = 'A namespace must be empty (no containers, images, blobs or snapshots) to be removed.';
  static hiddenAliases = ['namespace:rm'];
  static strict = false;
  static args = { name: Args.string({ required: true, description: 'namespace name' }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(NamespaceRemove);
    const { removeNamespace } = await import('../../runtime/namespaces.js');
    const runtime = await this.runtime();
    await forEachTarget(argv as string[], async (name) => {
      await removeNamespace(runtime, name);
      this.print(name);
    });
  }
}

import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { confirm } from '../../cli/confirm.js';

export default class NetworkPrune extends BerthCommand {
  static summary = 'Remove all unused networks';
  static flags = {
    filter: Flags.string({ description: "provide filter values (e.g. 'until=<timestamp>', 'label=k=v')", multiple: true, multipleNonGreedy: true }),
    force: Flags.boolean({ char: 'f', description: 'do not prompt for confirmation' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NetworkPrune);
    const { pruneUserNetworks } = await import('../../runtime/network/manage.js');
    const { parseNetworkPruneFilters, keptByPruneFilters } = await import('../../runtime/network/filters.js');
    const filters = parseNetworkPruneFilters(flags.filter ?? []);
    if (!flags.force && !(await confirm('WARNING! This will remove all custom networks not used by at least one container.'))) return;
    const removed = await pruneUserNetworks((await this.runtime()).config, (network) => keptByPruneFilters(network, filters));
    if (removed.length > 0) this.print(`Deleted Networks:\n${removed.join('\n')}\n`);
  }
}

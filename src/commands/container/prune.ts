import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { confirm } from '../../cli/confirm.js';

export default class ContainerPrune extends BerthCommand {
  static summary = 'Remove all stopped containers';
  static flags = {
    filter: Flags.string({ description: "provide filter values (e.g. 'until=<timestamp>', 'label=k=v')", multiple: true, multipleNonGreedy: true }),
    force: Flags.boolean({ char: 'f', description: 'do not prompt for confirmation' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ContainerPrune);
    const { deletedContainersText, parsePruneFilters, pruneContainers } = await import('../../runtime/containers/prune.js');
    const filters = parsePruneFilters(flags.filter ?? []);
    if (!flags.force && !(await confirm('WARNING! This will remove all stopped containers.'))) return;
    const { humanSize } = await import('../../format/units.js');
    const report = await pruneContainers(await this.runtime(), filters);
    process.stdout.write(deletedContainersText(report.deleted));
    this.print(`Total reclaimed space: ${humanSize(report.reclaimed)}`);
  }
}

import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { confirm } from '../../cli/confirm.js';
import { usageError } from '../../errors.js';

export default class SystemPrune extends BerthCommand {
  static summary = 'Remove unused data';
  static flags = {
    all: Flags.boolean({ char: 'a', description: 'remove all unused images not just dangling ones' }),
    filter: Flags.string({ description: "provide filter values (e.g. 'label=<key>=<value>')", multiple: true, multipleNonGreedy: true }),
    force: Flags.boolean({ char: 'f', description: 'do not prompt for confirmation' }),
    volumes: Flags.boolean({ description: 'prune anonymous volumes (not supported yet: berth has no volumes)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemPrune);
    if (flags.volumes) throw usageError('--volumes is not supported yet: berth has no volumes');
    const filterValues = flags.filter ?? [];
    const { deletedContainersText, parsePruneFilters, pruneContainers } = await import('../../runtime/containers/prune.js');
    const filters = parsePruneFilters(filterValues);
    if (!flags.force && !(await confirm(pruneWarning(flags.all, filterValues)))) return;
    const runtime = await this.runtime();
    const { humanSize } = await import('../../format/units.js');
    const { openImageStore } = await import('../../cli/image-context.js');
    const { deletedImagesText, pruneImages } = await import('../../image/remove.js');
    const containers = await pruneContainers(runtime, filters);
    process.stdout.write(deletedContainersText(containers.deleted));
    const images = await pruneImages(await openImageStore(runtime), { all: flags.all, filters: filterValues });
    process.stdout.write(deletedImagesText(images.lines));
    this.print(`Total reclaimed space: ${humanSize(containers.reclaimed + images.reclaimed)}`);
  }
}

/** Docker's list of what goes, without what berth does not have yet (networks, build cache). */
function pruneWarning(all: boolean, filters: readonly string[]): string {
  const items = ['all stopped containers', all ? 'all images without at least one container associated to them' : 'all dangling images'];
  const shown = filters.filter((filter) => /^(label!?|until)=/.test(filter)).sort();
  const filterText = shown.length > 0 ? `\n  Items to be pruned will be filtered with:\n${shown.map((filter) => `  - ${filter}\n`).join('')}` : '';
  return `WARNING! This will remove:\n${items.map((item) => `  - ${item}\n`).join('')}${filterText}`;
}

import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { confirm } from '../../cli/confirm.js';

export default class SystemPrune extends BerthCommand {
  static summary = 'Remove unused data';
  static flags = {
    all: Flags.boolean({ char: 'a', description: 'remove all unused images not just dangling ones' }),
    filter: Flags.string({ description: "provide filter values (e.g. 'label=<key>=<value>')", multiple: true, multipleNonGreedy: true }),
    force: Flags.boolean({ char: 'f', description: 'do not prompt for confirmation' }),
    volumes: Flags.boolean({ description: 'prune anonymous volumes' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemPrune);
    const filterValues = flags.filter ?? [];
    const { deletedContainersText, parsePruneFilters, pruneContainers } = await import('../../runtime/containers/prune.js');
    const filters = parsePruneFilters(filterValues);
    if (!flags.force && !(await confirm(pruneWarning(flags.all, flags.volumes, filterValues)))) return;
    const runtime = await this.runtime();
    const { humanSize } = await import('../../format/units.js');
    const { openImageStore } = await import('../../cli/image-context.js');
    const { deletedImagesText, pruneImages } = await import('../../image/remove.js');
    const containers = await pruneContainers(runtime, filters);
    process.stdout.write(deletedContainersText(containers.deleted));
    let volumesReclaimed = 0;
    if (flags.volumes) {
      const { deletedVolumesText, parseVolumeFilters, pruneVolumes } = await import('../../runtime/volumes/manage.js');
      // the volume prune takes the label filters; `until` is for containers and images
      const volumes = await pruneVolumes(runtime, parseVolumeFilters(filterValues.filter((value) => /^label!?=/i.test(value)), true));
      process.stdout.write(deletedVolumesText(volumes.deleted));
      volumesReclaimed = volumes.reclaimed;
    }
    const images = await pruneImages(await openImageStore(runtime), { all: flags.all, filters: filterValues });
    process.stdout.write(deletedImagesText(images.lines));
    this.print(`Total reclaimed space: ${humanSize(containers.reclaimed + volumesReclaimed + images.reclaimed)}`);
  }
}

/** Docker's list of what goes, without what berth does not have yet (networks, build cache). */
function pruneWarning(all: boolean, volumes: boolean, filters: readonly string[]): string {
  const items = [
    'all stopped containers',
    ...(volumes ? ['all anonymous volumes not used by at least one container'] : []),
    all ? 'all images without at least one container associated to them' : 'all dangling images',
  ];
  const shown = filters.filter((filter) => /^(label!?|until)=/.test(filter)).sort();
  const filterText = shown.length > 0 ? `\n  Items to be pruned will be filtered with:\n${shown.map((filter) => `  - ${filter}\n`).join('')}` : '';
  return `WARNING! This will remove:\n${items.map((item) => `  - ${item}\n`).join('')}${filterText}`;
}

import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { confirm } from '../../cli/confirm.js';
import { usageError } from '../../errors.js';

export default class VolumePrune extends BerthCommand {
  static summary = 'Remove unused local volumes';
  static flags = {
    all: Flags.boolean({ char: 'a', description: 'remove all unused volumes, not just anonymous ones' }),
    filter: Flags.string({ description: 'provide filter values (e.g. "label=<label>")', multiple: true, multipleNonGreedy: true }),
    force: Flags.boolean({ char: 'f', description: 'do not prompt for confirmation' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumePrune);
    const { deletedVolumesText, parseVolumeFilters, pruneVolumes } = await import('../../runtime/volumes/manage.js');
    const filterValues = flags.filter ?? [];
    if (flags.all && filterValues.some((value) => value.toLowerCase().startsWith('all='))) {
      throw usageError('conflicting options: cannot specify both --all and --filter all=1');
    }
    const filters = parseVolumeFilters(flags.all ? [...filterValues, 'all=true'] : filterValues, true);
    const warning = flags.all
      ? 'WARNING! This will remove all local volumes not used by at least one container.'
      : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
    if (!flags.force && !(await confirm(warning))) return;
    const { humanSize } = await import('../../format/units.js');
    const report = await pruneVolumes(await this.runtime(), filters);
    process.stdout.write(deletedVolumesText(report.deleted));
    this.print(`Total reclaimed space: ${humanSize(report.reclaimed)}`);
  }
}

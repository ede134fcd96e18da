import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { formatFlag } from '../../cli/flags.js';

const TABLE = {
  defaultTable: 'table {{.Driver}}\t{{.Name}}',
  headers: { Driver: 'DRIVER', Name: 'VOLUME NAME', Mountpoint: 'MOUNTPOINT', Links: 'LINKS', Size: 'SIZE', Scope: 'SCOPE', Labels: 'LABELS' },
};

export default class VolumeList extends BerthCommand {
  static summary = 'List volumes';
  static aliases = ['volume:list'];
  static flags = {
    filter: Flags.string({ char: 'f', description: 'provide filter values (e.g. "dangling=true")', multiple: true, multipleNonGreedy: true }),
    format: formatFlag,
    quiet: Flags.boolean({ char: 'q', description: 'only display volume names' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumeList);
    const { listVolumesFiltered, parseVolumeFilters } = await import('../../runtime/volumes/manage.js');
    const volumes = await listVolumesFiltered(await this.runtime(), parseVolumeFilters(flags.filter ?? []));
    const { formatList } = await import('../../format/output.js');
    // Docker's volume context: what a cluster or usage field would show is N/A here
    const rows = volumes.map((volume) => ({
      Availability: 'N/A',
      Driver: volume.Driver,
      Group: 'N/A',
      Labels: Object.entries(volume.Labels).map(([key, value]) => `${key}=${value}`).sort().join(','),
      Links: 'N/A',
      Mountpoint: volume.Mountpoint,
      Name: volume.Name,
      Scope: volume.Scope,
      Size: 'N/A',
      Status: 'N/A',
      Label: (key: string) => volume.Labels[key] ?? '',
    }));
    const format = flags.quiet && (flags.format === undefined || flags.format === 'table') ? '{{.Name}}' : flags.format;
    this.print(formatList(rows, format, TABLE));
  }
}

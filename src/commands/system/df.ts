import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { formatFlag } from '../../cli/flags.js';

export default class SystemDf extends BerthCommand {
  static summary = 'Show berth disk usage';
  static flags = {
    format: formatFlag,
    verbose: Flags.boolean({ char: 'v', description: 'show detailed information on space usage' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemDf);
    const { gatherDiskUsage } = await import('../../cli/disk-usage.js');
    const usage = await import('../../format/disk-usage.js');
    const { images, containers, sizes, volumes } = await gatherDiskUsage(await this.runtime());
    const measured = usage.imageUsage(images);
    if (!flags.verbose) {
      const active = (status: string) => status === 'running' || status === 'paused' || status === 'restarting';
      const containerUsage = containers.map((record) => ({ active: active(record.status), sizeRw: sizes.get(record.id)?.rw ?? 0 }));
      this.print(usage.renderSummary(usage.summaryRows(measured.images, measured.layersSize, containerUsage, volumes), flags.format));
      return;
    }
    const { containerRow } = await import('../../runtime/containers/ps.js');
    const truncate = flags.format === undefined || flags.format.startsWith('table');
    const now = Date.now();
    // docker leaves the virtual size out here: the writable layer only
    const rwOnly = new Map([...sizes].map(([id, size]) => [id, { rw: size.rw, rootFs: 0 }]));
    const imageRows = measured.images.map((image) => usage.verboseImageRow(image, { truncate, now }));
    const containerRows = containers.map((record) => containerRow(record, { truncate, now, sizes: rwOnly }));
    this.print(usage.renderVerbose(imageRows, containerRows, flags.format, volumes.map(usage.verboseVolumeRow)));
  }
}

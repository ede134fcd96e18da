import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { formatFlag } from '../../cli/flags.js';

const TABLE = {
  defaultTable: 'table {{.Name}}\t{{.Containers}}\t{{.Images}}\t{{.Volumes}}\t{{.Labels}}',
  headers: { Name: 'NAME', Containers: 'CONTAINERS', Images: 'IMAGES', Volumes: 'VOLUMES', Labels: 'LABELS' },
};

export default class NamespaceList extends BerthCommand {
  static summary = 'List containerd namespaces';
  static hiddenAliases = ['namespace:list'];
  static flags = {
    quiet: Flags.boolean({ char: 'q', description: 'only display namespace names' }),
    format: formatFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NamespaceList);
    const { listNamespaces } = await import('../../runtime/namespaces.js');
    const namespaces = await listNamespaces(await this.runtime());
    if (flags.quiet) {
      this.print(namespaces.map((namespace) => namespace.Name).join('\n'));
      return;
    }
    const { formatList } = await import('../../format/output.js');
    const rows = namespaces.map((namespace) => ({
      ...namespace,
      Labels: Object.entries(namespace.Labels).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${value}`).join(','),
      Label: (key: string) => namespace.Labels[key] ?? '',
    }));
    this.print(formatList(rows, flags.format, TABLE));
  }
}

import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { formatFlag } from '../../cli/flags.js';

const TABLE = {
  defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}',
  headers: { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' },
};

export default class NetworkList extends BerthCommand {
  static summary = 'List networks';
  static aliases = ['network:list'];
  static flags = {
    filter: Flags.string({ char: 'f', description: 'provide filter values (driver, id, label, name, scope, type, dangling)', multiple: true, multipleNonGreedy: true }),
    format: formatFlag,
    'no-trunc': Flags.boolean({ description: "don't truncate the output" }),
    quiet: Flags.boolean({ char: 'q', description: 'only display network IDs' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NetworkList);
    const { networkRows } = await import('../../runtime/network/manage.js');
    const { parseNetworkFilters, networkMatches } = await import('../../runtime/network/filters.js');
    const filters = parseNetworkFilters(flags.filter ?? []);
    const runtime = await this.runtime();
    const rows = (await networkRows(runtime.config)).filter((row) => networkMatches(row, filters));
    const id = (value: string) => (flags['no-trunc'] ? value : value.slice(0, 12));
    if (flags.quiet) {
      this.print(rows.map((row) => id(row.ID)).join('\n'));
      return;
    }
    const { formatList } = await import('../../format/output.js');
    const view = rows.map((row) => ({
      ID: id(row.ID),
      Name: row.Name,
      Driver: row.Driver,
      Scope: row.Scope,
      IPv6: row.IPv6,
      Internal: row.Internal,
      CreatedAt: row.CreatedAt,
      Labels: Object.entries(row.Labels).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${value}`).join(','),
      Label: (key: string) => row.Labels[key] ?? '',
    }));
    this.print(formatList(view, flags.format, TABLE));
  }
}

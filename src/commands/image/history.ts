import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { formatFlag } from '../../cli/flags.js';
import { openImageStore } from '../../cli/image-context.js';

export default class ImageHistory extends BerthCommand {
  static summary = 'Show the history of an image';
  static aliases = ['history'];
  static args = { image: Args.string({ required: true, description: 'image name or ID' }) };
  static flags = {
    format: formatFlag,
    human: Flags.boolean({ char: 'H', description: 'print sizes and dates in human readable format', default: true, allowNo: true }),
    'no-trunc': Flags.boolean({ description: "don't truncate output" }),
    quiet: Flags.boolean({ char: 'q', description: 'only show image IDs' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImageHistory);
    const { imageHistory } = await import('../../image/inspect.js');
    const entries = await imageHistory(await openImageStore(await this.runtime()), args.image);
    const id = (value: string) => (value === '<missing>' || flags['no-trunc'] ? value : value.replace(/^sha256:/, '').slice(0, 12));
    if (flags.quiet) {
      this.print(entries.map((entry) => id(entry.id)).join('\n'));
      return;
    }
    const { formatList } = await import('../../format/output.js');
    const { humanDuration, humanSize } = await import('../../format/units.js');
    const now = Date.now();
    const items = entries.map((entry) => ({
      ID: id(entry.id),
      CreatedSince: entry.created ? (flags.human ? `${humanDuration(now - entry.created.getTime())} ago` : entry.created.toISOString()) : 'N/A',
      CreatedAt: entry.created?.toISOString() ?? '',
      // Docker cuts CREATED BY to 45 characters, ending in an ellipsis.
      CreatedBy: flags['no-trunc'] || entry.createdBy.length <= 45 ? entry.createdBy : `${entry.createdBy.slice(0, 44)}…`,
      Size: flags.human ? humanSize(entry.size, 3) : String(entry.size),
      Comment: entry.comment,
    }));
    this.print(formatList(items, flags.format, {
      defaultTable: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
      headers: { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' },
    }));
  }
}

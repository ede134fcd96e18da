import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { formatFlag } from '../../cli/flags.js';
import { openImageStore } from '../../cli/image-context.js';
import type { ImageRow } from '../../image/list.js';

const HEADERS = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  BlobSize: 'BLOB SIZE',
  Platform: 'PLATFORM',
  Containers: 'CONTAINERS',
};

export default class ImageList extends BerthCommand {
  static summary = 'List images';
  static aliases = ['images', 'image:list'];
  static args = { repository: Args.string({ description: 'REPOSITORY[:TAG]' }) };
  static flags = {
    all: Flags.boolean({ char: 'a', description: 'show all images (berth keeps no intermediate images, so this is the default list)' }),
    'all-records': Flags.boolean({
      description: "one row per containerd image record: in k8s.io, CRI records each image as repo:tag, repo@digest and its ID (sha256:…), which are shown merged into one row per repo:tag unless this is given",
    }),
    digests: Flags.boolean({ description: 'show digests' }),
    filter: Flags.string({ char: 'f', description: 'filter output: reference=, dangling=, label=, before=, since=', multiple: true, multipleNonGreedy: true }),
    format: formatFlag,
    'no-trunc': Flags.boolean({ description: "don't truncate output" }),
    quiet: Flags.boolean({ char: 'q', description: 'only show image IDs' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImageList);
    const { listImages, parseImageFilters } = await import('../../image/list.js');
    const filters = parseImageFilters(flags.filter ?? []);
    const store = await openImageStore(await this.runtime());
    const rows = await listImages(store, filters, { repository: args.repository, digests: flags.digests, allRecords: flags['all-records'] });
    const id = (row: ImageRow) => (flags['no-trunc'] ? row.configDigest : row.configDigest.replace(/^sha256:/, '').slice(0, 12));
    if (flags.quiet) {
      this.print(rows.map(id).join('\n'));
      return;
    }
    const { formatList } = await import('../../format/output.js');
    const { goTimeString, humanDuration, humanSize } = await import('../../format/units.js');
    const now = Date.now();
    const items = rows.map((row) => ({
      Containers: 'N/A',
      CreatedAt: row.created ? goTimeString(row.created) : '',
      CreatedSince: row.created ? `${humanDuration(now - row.created.getTime())} ago` : 'N/A',
      Digest: row.digest === '' ? '<none>' : row.digest,
      ID: id(row),
      Repository: row.repository,
      Size: humanSize(row.size, 3),
      BlobSize: humanSize(row.blobSize, 3),
      Platform: row.platform,
      Tag: row.tag,
    }));
    const defaultTable = flags.digests
      ? 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}'
      : 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
    this.print(formatList(items, flags.format, { defaultTable, headers: HEADERS }));
  }
}

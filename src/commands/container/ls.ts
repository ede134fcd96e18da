import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { formatFlag } from '../../cli/flags.js';
import type { RuntimeContext } from '../../runtime/context.js';
import type { ContainerSize } from '../../runtime/containers/inspect.js';
import type { AncestorSet } from '../../runtime/containers/ps.js';

const HEADERS = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
  PodName: 'POD',
  PodNamespace: 'POD NAMESPACE',
  ContainerName: 'CONTAINER',
};

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

export default class ContainerList extends BerthCommand {
  static summary = 'List containers';
  static aliases = ['ps', 'container:list', 'container:ps'];
  static flags = {
    all: Flags.boolean({ char: 'a', description: 'show all containers (default shows just running)' }),
    filter: Flags.string({
      char: 'f',
      description: 'filter output: id, name, label, status, exited, ancestor, before, since, network, health, is-task; for Kubernetes: pod, k8s-namespace',
      multiple: true,
      multipleNonGreedy: true,
    }),
    format: formatFlag,
    last: Flags.integer({ char: 'n', description: 'show n last created containers (includes all states)', default: -1 }),
    latest: Flags.boolean({ char: 'l', description: 'show the latest created container (includes all states)' }),
    'no-trunc': Flags.boolean({ description: "don't truncate output" }),
    quiet: Flags.boolean({ char: 'q', description: 'only display container IDs' }),
    size: Flags.boolean({ char: 's', description: 'display total file sizes' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ContainerList);
    const runtime = await this.runtime();
    const { listContainers } = await import('../../runtime/containers/list.js');
    const ps = await import('../../runtime/containers/ps.js');
    const filters = ps.parseContainerFilters(flags.filter ?? []);
    const truncate = !flags['no-trunc'];
    const quiet = flags.quiet;
    const last = flags.latest && flags.last === -1 ? 1 : flags.last;

    // The image records only matter for the IMAGE column and ancestor filters; read them alongside.
    const needImages = !quiet || filters.ancestor.length > 0;
    const { formatList } = await import('../../format/output.js');
    const table = { defaultTable: flags.size ? `${DEFAULT_TABLE}\t{{.Size}}` : DEFAULT_TABLE, headers: HEADERS };
    const render = (rows: unknown[]) => formatList(rows, flags.format, table);
    const withoutExtensions = !ps.needsExtensions(filters, flags.format, (row) => render([row]));
    const [records, images] = await Promise.all([listContainers(runtime, { withoutExtensions }), needImages ? openImages(runtime) : undefined]);
    const ancestors = filters.ancestor.length > 0 && images ? await resolveAncestors(images, filters.ancestor) : undefined;
    const selected = ps.selectContainers(records, filters, { all: flags.all, last, ancestors });
    if (quiet) {
      this.print(selected.map((record) => (truncate ? record.id.slice(0, 12) : record.id)).join('\n'));
      return;
    }

    let sizes: Map<string, ContainerSize> | undefined;
    if (flags.size || ps.templateUsesSize(flags.format, (row) => render([row]))) {
      const { containerSizes } = await import('../../runtime/containers/size.js');
      sizes = await containerSizes(runtime, selected);
    }
    // A container whose image name no longer names any image shows the image's ID, as Docker's does.
    const imageNames = new Set(images?.records.map((image) => image.name));
    const imageOf = (record: (typeof selected)[number]) =>
      record.imageId !== '' && record.container.image !== '' && !imageNames.has(record.container.image) ? record.imageId : record.imageAsTyped;
    const rowOptions = { truncate, now: Date.now(), sizes, imageOf };
    if (flags.format === undefined || flags.format === 'table') this.print(ps.defaultTable(selected, rowOptions, flags.size));
    else this.print(render(selected.map((record) => ps.containerRow(record, rowOptions))));
  }
}

async function openImages(runtime: RuntimeContext) {
  const { openImageStore } = await import('../../cli/image-context.js');
  const store = await openImageStore(runtime);
  return { store, records: await store.listImages() };
}

/** `ancestor=` values as image IDs (with the images built on them) and, for images gone, names. */
async function resolveAncestors(images: Awaited<ReturnType<typeof openImages>>, values: readonly string[]): Promise<AncestorSet> {
  const { findImages, readLocalImage } = await import('../../image/local.js');
  const { ancestorSet } = await import('../../runtime/containers/ps.js');
  const { store } = images;
  const locals = await Promise.all(images.records.map((record) => readLocalImage(store, record).catch(() => undefined)));
  const localImages = locals.filter((image) => image !== undefined);
  const resolved = [];
  const unresolved: string[] = [];
  for (const value of values) {
    try {
      const { records } = await findImages(store, value);
      const image = localImages.find((local) => local.record.name === records[0].name) ?? (await readLocalImage(store, records[0]));
      if (image) resolved.push(image);
      else unresolved.push(value);
    } catch {
      unresolved.push(value);
    }
  }
  return ancestorSet(resolved, localImages, values, unresolved);
}

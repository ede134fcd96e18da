import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { formatFlag } from '../../cli/flags.js';

const TABLE = {
  defaultTable: 'table {{.PodID}}\t{{.Name}}\t{{.Namespace}}\t{{.State}}\t{{.CreatedSince}}\t{{.Containers}}',
  headers: {
    PodID: 'POD ID',
    ID: 'POD ID',
    Name: 'NAME',
    Namespace: 'NAMESPACE',
    State: 'STATE',
    CreatedSince: 'CREATED',
    CreatedAt: 'CREATED AT',
    Containers: 'CONTAINERS',
    UID: 'UID',
  },
};

export default class PodList extends BerthCommand {
  static summary = "List Kubernetes' pods (CRI sandboxes) of the namespace, usually k8s.io";
  static aliases = ['pods', 'pod:list'];
  static flags = {
    format: formatFlag,
    'no-trunc': Flags.boolean({ description: "don't truncate output" }),
    quiet: Flags.boolean({ char: 'q', description: 'only display pod IDs' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PodList);
    const { listPods, podRow } = await import('../../runtime/containers/pods.js');
    const pods = await listPods(await this.runtime());
    const truncate = !flags['no-trunc'];
    if (flags.quiet) {
      this.print(pods.map((pod) => (truncate ? pod.id.slice(0, 12) : pod.id)).join('\n'));
      return;
    }
    const { formatList } = await import('../../format/output.js');
    const now = Date.now();
    this.print(formatList(pods.map((pod) => podRow(pod, { truncate, now })), flags.format, TABLE));
  }
}

import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthCommand } from '../../cli/base-command.js';
import { formatFlag } from '../../cli/flags.js';
import { ReportedFailure } from '../../cli/targets.js';
import type { StatsSample } from '../../runtime/containers/stats.js';

const TICK_MS = 1000;

export default class ContainerStats extends BerthCommand {
  static summary = 'Display a live stream of container(s) resource usage statistics';
  static usage = '[OPTIONS] [CONTAINER...]';
  static aliases = ['stats'];
  static strict = false;
  static args = { container: Args.string({ required: false, description: 'container names or IDs (default: all running)' }) };
  static flags = {
    all: Flags.boolean({ char: 'a', description: 'show all containers (default shows just running)' }),
    format: formatFlag,
    'no-stream': Flags.boolean({ description: 'disable streaming stats and only pull the first result' }),
    'no-trunc': Flags.boolean({ description: "don't truncate output" }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerStats);
    const refs = argv as string[];
    const runtime = await this.runtime();
    const { findContainers } = await import('../../runtime/containers/find.js');
    const { listContainers } = await import('../../runtime/containers/list.js');
    const stats = await import('../../runtime/containers/stats.js');
    const { formatList } = await import('../../format/output.js');
    const { STATS_FORMAT, statsRow, liveFrame } = await import('../../format/stats.js');

    let targets: { ref: string; id: string; name: string; running: boolean }[];
    if (refs.length > 0) {
      const found = await findContainers(runtime, refs);
      const failures = found.filter((entry) => 'error' in entry);
      if (failures.length > 0) {
        for (const failure of failures) if ('error' in failure) process.stderr.write(`${failure.error.message}\n`);
        throw new ReportedFailure(1);
      }
      targets = found.map((entry) => {
        const { record } = entry as Extract<typeof entry, { record: unknown }>;
        return { ref: entry.ref, id: record.id, name: record.name, running: record.status === 'running' || record.status === 'paused' };
      });
    } else {
      const records = await listContainers(runtime);
      targets = records
        .filter((record) => flags.all || record.status === 'running' || record.status === 'paused')
        .map((record) => ({ ref: record.id, id: record.id, name: record.name, running: record.status === 'running' || record.status === 'paused' }));
    }

    const ids = targets.filter((target) => target.running).map((target) => target.id);
    const render = (previous: Map<string, StatsSample> | undefined, current: Map<string, StatsSample>) => {
      const rows = targets.map((target) => {
        const sample = current.get(target.id);
        return statsRow(target, sample ? stats.statsEntry(previous?.get(target.id), sample) : stats.EMPTY_ENTRY, !flags['no-trunc']);
      });
      return formatList(rows, flags.format, STATS_FORMAT);
    };

    let previous: Map<string, StatsSample> | undefined;
    if (flags['no-stream']) {
      // as Docker's daemon: a first reading primes the CPU numbers, so they are not 0 in the only frame
      previous = await stats.sampleStats(runtime, ids);
      if (ids.length > 0) await sleep(TICK_MS);
      process.stdout.write(render(previous, await stats.sampleStats(runtime, ids)));
      return;
    }
    for (;;) {
      const current = await stats.sampleStats(runtime, ids);
      process.stdout.write(liveFrame(render(previous, current)));
      previous = current;
      if (targets.length === 0 && refs.length > 0) return;
      await sleep(TICK_MS);
    }
  }
}

import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';

export default class SystemEvents extends BerthCommand {
  static summary = 'Get real time events from containerd, as Docker events';
  static description =
    'containerd keeps no event history: --since in the past shows the events from now on; --until ends the stream at that time.';
  static aliases = ['events'];
  static flags = {
    filter: Flags.string({
      char: 'f',
      description: 'filter output based on conditions provided: container, image, event, type, label, …',
      multiple: true,
      multipleNonGreedy: true,
    }),
    format: Flags.string({ description: "format output using a Go template, or 'json'", helpValue: 'string' }),
    since: Flags.string({ description: 'show all events created since timestamp' }),
    until: Flags.string({ description: 'stream events until this timestamp' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemEvents);
    const { eventPrinter } = await import('../../format/events.js');
    const { parseEventFilters } = await import('../../runtime/events/filters.js');
    const { parseTimeOption } = await import('../../runtime/logging/read.js');
    const print = eventPrinter(flags.format);
    const filters = parseEventFilters(flags.filter ?? []);
    const now = new Date();
    const since = flags.since ? parseTimeOption(flags.since, now, 'since') : undefined;
    const until = flags.until ? parseTimeOption(flags.until, now, 'until') : undefined;
    const runtime = await this.runtime();
    const { nowNanos, streamEvents } = await import('../../runtime/events/stream.js');
    if (since !== undefined && since < nowNanos()) {
      process.stderr.write('containerd keeps no event history: showing events from now on\n');
    }
    const { eventImages } = await import('../../cli/event-images.js');
    const images = await eventImages(runtime);
    await streamEvents(runtime, { filters, since, until, images }, (event) => process.stdout.write(print(event)));
  }
}

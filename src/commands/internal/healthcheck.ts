import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';

/**
 * Run by a container's probe loop (which its logger starts): runs the container's health check
 * once, records the result and prints the seconds to wait before the next probe (nothing once
 * the container no longer runs). SIGTERM (the container ended) drops the probe. Not for users.
 */
export default class InternalHealthcheck extends BerthCommand {
  static hidden = true;
  static summary = "run a container's health check once (run by berth's logger)";
  static args = { id: Args.string({ required: true, description: 'container ID' }) };

  async run(): Promise<void> {
    const { args } = await this.parse(InternalHealthcheck);
    const stop = new AbortController();
    process.once('SIGTERM', () => {
      stop.abort();
      // the probe's cleanup gets a moment; a wedged containerd does not keep this process around
      setTimeout(() => process.exit(143), 3000).unref();
    });
    const { runHealthcheck } = await import('../../runtime/health/probe.js');
    const nextMs = await runHealthcheck(await this.runtime(), args.id, stop.signal);
    if (nextMs !== undefined) this.print(String(nextMs / 1000));
  }
}

import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { forEachTarget } from '../../cli/targets.js';
import { usageError } from '../../errors.js';

export default class ContainerStart extends BerthCommand {
  static summary = 'Start one or more stopped containers';
  static aliases = ['start'];
  static strict = false;
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };
  static flags = {
    attach: Flags.boolean({ char: 'a', description: 'attach STDOUT/STDERR and forward signals' }),
    interactive: Flags.boolean({ char: 'i', description: "attach container's STDIN" }),
    'detach-keys': Flags.string({ description: 'override the key sequence for detaching a container' }),
    checkpoint: Flags.string({ description: 'restore from this checkpoint (not supported)', hidden: true }),
    'checkpoint-dir': Flags.string({ description: 'use a custom checkpoint storage directory (not supported)', hidden: true }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerStart);
    if (flags.checkpoint !== undefined || flags['checkpoint-dir'] !== undefined) throw usageError('checkpoints are not supported');
    const refs = argv as string[];
    const attach = flags.attach || flags.interactive;
    if (attach && refs.length > 1) throw usageError('you cannot start and attach multiple containers at once');
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const lifecycle = await import('../../runtime/containers/lifecycle.js');
    if (!attach) {
      await forEachTarget(refs, async (ref) => {
        const { container } = await findContainer(runtime, ref);
        if (!(await lifecycle.isRunning(runtime, container.id))) {
          const started = await lifecycle.startContainer(runtime, container, { attach: false, openStdin: lifecycle.storedIntent(container).OpenStdin === true });
          await started.io.release();
        }
        this.print(ref);
      });
      return;
    }
    const { container } = await findContainer(runtime, refs[0]);
    const intent = lifecycle.storedIntent(container);
    const openStdin = flags.interactive && intent.OpenStdin === true;
    const started = await lifecycle.startContainer(runtime, container, { attach: true, openStdin });
    const { processControls } = await import('../../runtime/containers/process-controls.js');
    const { runAttachSession, parseDetachKeys, DEFAULT_DETACH_KEYS } = await import('../../cli/attach-session.js');
    const outcome = await runAttachSession({
      io: started.io.attached!,
      tty: intent.Tty === true,
      stdin: openStdin,
      stdout: true,
      stderr: true,
      detachKeys: parseDetachKeys(flags['detach-keys'] ?? DEFAULT_DETACH_KEYS),
      sigProxy: true,
      ...processControls(runtime, container.id),
    });
    if (outcome === 'detached') {
      started.io.attached!.detach();
      return;
    }
    const { finishForeground } = await import('../../runtime/containers/run.js');
    process.exitCode = await finishForeground(runtime, container, started, container.labels['berth/auto-remove'] === 'true');
  }
}

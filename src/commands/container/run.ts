import * as Args from '@oclif/core/args';
import { BerthCommand } from '../../cli/base-command.js';
import { containerArgv, RUN_FLAGS } from '../../cli/container-flags.js';
import { BerthError } from '../../errors.js';

export default class ContainerRun extends BerthCommand {
  static summary = 'Create and run a new container from an image';
  static usage = '[OPTIONS] IMAGE [COMMAND] [ARG...]';
  static aliases = ['run'];
  static strict = false;
  static splitAtFirstPositional = true;
  static args = { image: Args.string({ required: true, description: 'image to run' }) };
  static flags = RUN_FLAGS;

  async run(): Promise<void> {
    const parsed = await this.parse(ContainerRun);
    const { flags } = parsed;
    // oclif's argv orders words by first appearance in the whole line: the raw tokens keep their order
    const [image, ...args] = containerArgv(parsed);

    const { toRunRequest } = await import('../../runtime/create-options.js');
    const { intent, options } = toRunRequest(flags, image, args);
    // as Docker's CLI: a `-t` container starts with the size of the terminal berth runs in
    if (intent.Tty && process.stdout.isTTY) intent.HostConfig.ConsoleSize = [process.stdout.rows, process.stdout.columns];
    const attachStdin = options.attach.includes('stdin');
    if (!options.detach && intent.Tty && attachStdin && !process.stdin.isTTY) {
      throw new BerthError('failed-precondition', 'the input device is not a TTY');
    }
    const runtime = await this.runtime();

    const { createFromFlags } = await import('../../cli/create-flow.js');
    const { container, rootfs } = await createFromFlags(runtime, intent, options);
    const autoRemove = intent.HostConfig.AutoRemove === true;
    const run = await import('../../runtime/containers/run.js');

    if (options.detach) {
      await run.startDetached(runtime, container, rootfs, autoRemove, intent.OpenStdin === true);
      this.print(container.id);
      return;
    }

    const { startContainer, removeContainer } = await import('../../runtime/containers/lifecycle.js');
    let started;
    try {
      started = await startContainer(runtime, container, { attach: true, openStdin: attachStdin && intent.OpenStdin === true, fresh: { rootfs } });
    } catch (error) {
      if (autoRemove) await removeContainer(runtime, container, { force: true }).catch(() => undefined);
      throw error;
    }
    const { processControls } = await import('../../runtime/containers/process-controls.js');
    const { runAttachSession, parseDetachKeys } = await import('../../cli/attach-session.js');
    const outcome = await runAttachSession({
      io: started.io.attached!,
      tty: intent.Tty === true,
      stdin: attachStdin && intent.OpenStdin === true,
      stdout: options.attach.includes('stdout'),
      stderr: options.attach.includes('stderr'),
      detachKeys: parseDetachKeys(options.detachKeys),
      sigProxy: options.sigProxy,
      ...processControls(runtime, container.id),
    });
    if (outcome === 'detached') {
      started.io.attached!.detach();
      return;
    }
    process.exitCode = await run.finishForeground(runtime, container, started, autoRemove);
  }
}

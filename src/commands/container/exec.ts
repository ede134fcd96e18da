import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { containerArgv } from '../../cli/container-flags.js';
import { BerthError } from '../../errors.js';

export default class ContainerExec extends BerthCommand {
  static summary = 'Execute a command in a running container';
  static usage = '[OPTIONS] CONTAINER COMMAND [ARG...]';
  static aliases = ['exec'];
  static strict = false;
  static splitAtFirstPositional = true;
  static args = {
    container: Args.string({ required: true, description: 'container name or ID' }),
    command: Args.string({ required: true, description: 'command to run, then its arguments' }),
  };
  static flags = {
    detach: Flags.boolean({ char: 'd', description: 'detached mode: run command in the background' }),
    'detach-keys': Flags.string({ description: 'override the key sequence for detaching a container' }),
    env: Flags.string({ char: 'e', description: 'set environment variables', multiple: true, multipleNonGreedy: true }),
    'env-file': Flags.string({ description: 'read in a file of environment variables', multiple: true, multipleNonGreedy: true }),
    interactive: Flags.boolean({ char: 'i', description: 'keep STDIN open even if not attached' }),
    privileged: Flags.boolean({ description: 'give extended privileges to the command' }),
    tty: Flags.boolean({ char: 't', description: 'allocate a pseudo-TTY' }),
    user: Flags.string({ char: 'u', description: 'username or UID (format: "<name|uid>[:<group|gid>]")' }),
    workdir: Flags.string({ char: 'w', description: 'working directory inside the container' }),
  };

  async run(): Promise<void> {
    const parsed = await this.parse(ContainerExec);
    const { flags } = parsed;
    const [ref, ...command] = containerArgv(parsed);
    if (flags.tty && flags.interactive && !flags.detach && !process.stdin.isTTY) {
      throw new BerthError('failed-precondition', 'the input device is not a TTY');
    }
    const { parseEnvironment } = await import('../../runtime/create-options.js');
    const env = parseEnvironment(flags.env ?? [], flags['env-file'] ?? []);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { startExec, deleteExec } = await import('../../runtime/containers/exec.js');
    const { container } = await findContainer(runtime, ref);
    const started = await startExec(runtime, container, {
      args: command,
      env,
      workdir: flags.workdir,
      user: flags.user,
      tty: flags.tty,
      openStdin: flags.interactive,
      privileged: flags.privileged,
      detach: flags.detach,
      consoleSize: flags.tty && process.stdout.isTTY ? [process.stdout.rows, process.stdout.columns] : undefined,
    });
    if (flags.detach) {
      await started.io.release();
      return;
    }
    const { processControls } = await import('../../runtime/containers/process-controls.js');
    const { runAttachSession, parseDetachKeys, DEFAULT_DETACH_KEYS } = await import('../../cli/attach-session.js');
    const outcome = await runAttachSession({
      io: started.io.attached!,
      tty: flags.tty,
      stdin: flags.interactive,
      stdout: true,
      stderr: true,
      detachKeys: parseDetachKeys(flags['detach-keys'] ?? DEFAULT_DETACH_KEYS),
      sigProxy: false,
      ...processControls(runtime, container.id, started.execId),
    });
    if (outcome === 'detached') {
      started.io.attached!.detach();
      return;
    }
    const status = await started.exit;
    await started.io.attached!.done.catch(() => undefined);
    await started.io.release().catch(() => undefined);
    await deleteExec(runtime, container.id, started.execId);
    process.exitCode = status.exitCode;
  }
}

import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../../cli/base-command.js';
import { BerthError } from '../../errors.js';

export default class ContainerAttach extends BerthCommand {
  static summary = 'Attach local standard input, output, and error streams to a running container';
  static usage = '[OPTIONS] CONTAINER';
  static aliases = ['attach'];
  static args = { container: Args.string({ required: true, description: 'container name or ID' }) };
  static flags = {
    'detach-keys': Flags.string({ description: 'override the key sequence for detaching a container' }),
    'no-stdin': Flags.boolean({ description: 'do not attach STDIN' }),
    'sig-proxy': Flags.boolean({ description: 'proxy all received signals to the process', default: true, allowNo: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContainerAttach);
    const { runAttachSession, parseDetachKeys, DEFAULT_DETACH_KEYS } = await import('../../cli/attach-session.js');
    const detachKeys = parseDetachKeys(flags['detach-keys'] ?? DEFAULT_DETACH_KEYS);
    const runtime = await this.runtime();
    const { findContainer } = await import('../../runtime/containers/find.js');
    const { storedIntent } = await import('../../runtime/containers/lifecycle.js');
    const { attachContainer, checkAttachable } = await import('../../runtime/containers/attach.js');
    const record = await findContainer(runtime, args.container);
    checkAttachable(record);
    const intent = storedIntent(record.container);
    const tty = intent.Tty === true;
    if (!flags['no-stdin'] && tty && !process.stdin.isTTY) throw new BerthError('failed-precondition', 'the input device is not a TTY');
    const stdin = !flags['no-stdin'] && intent.OpenStdin === true;
    const attachment = await attachContainer(runtime, record, { stdin });
    const { processControls } = await import('../../runtime/containers/process-controls.js');
    const { resize, signal } = processControls(runtime, record.id);
    const outcome = await runAttachSession({
      io: attachment.io,
      tty,
      stdin,
      stdout: true,
      stderr: true,
      detachKeys,
      sigProxy: flags['sig-proxy'],
      // our stdin ending is no EOF for a container others may attach to (Docker's StdinOnce is false here)
      resize,
      signal,
    });
    if (outcome === 'detached') {
      attachment.io.detach();
      // Docker's CLI returns the escape as its error: printed, exit 1
      throw new BerthError('canceled', 'read escape sequence');
    }
    process.exitCode = await attachment.exitCode;
  }
}

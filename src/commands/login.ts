import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../cli/base-command.js';
import { openRegistry } from '../cli/image-context.js';
import { BerthError } from '../errors.js';

export default class Login extends BerthCommand {
  static summary = 'Authenticate to a registry';
  static description = 'Defaults to Docker Hub if no server is specified.';
  static args = { server: Args.string({ description: 'registry host[:port]; default Docker Hub' }) };
  static flags = {
    username: Flags.string({ char: 'u', description: 'username' }),
    password: Flags.string({ char: 'p', description: 'password or token' }),
    'password-stdin': Flags.boolean({ description: 'take the password or token from stdin' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Login);
    // Docker's checks, with its exit code 1.
    let password = flags.password || undefined;
    if (password !== undefined) {
      process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
      if (flags['password-stdin']) throw new BerthError('usage', '--password and --password-stdin are mutually exclusive', { exitCode: 1 });
    }
    const username = flags.username || undefined;
    if (flags['password-stdin'] && username === undefined) throw new BerthError('usage', 'must provide --username with --password-stdin', { exitCode: 1 });

    const { askCredentials, readStdinSecret, stdinIsTerminal } = await import('../cli/prompt.js');
    const { login, loginServer } = await import('../image/registry/login.js');
    const server = loginServer(args.server);
    if (flags['password-stdin']) password = await readStdinSecret();
    const config = await this.settings();
    await login({
      server,
      username,
      password,
      openRegistry: (credentials) => openRegistry(config, server.registry, credentials),
      ask: stdinIsTerminal() ? askCredentials : undefined,
      notice: (text) => process.stderr.write(`${text}\n`),
    });
    this.print('Login Succeeded');
  }
}

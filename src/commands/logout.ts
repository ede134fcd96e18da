import * as Args from '@oclif/core/args';
import { BerthCommand } from '../cli/base-command.js';

export default class Logout extends BerthCommand {
  static summary = 'Log out from a registry';
  static description = 'Defaults to Docker Hub if no server is specified.';
  static args = { server: Args.string({ description: 'registry host[:port]; default Docker Hub' }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Logout);
    const { loginServer, logout } = await import('../image/registry/login.js');
    const server = loginServer(args.server);
    // Docker's messages, on stdout as Docker prints them; not being logged in is no failure.
    this.print((await logout(server)) ? `Removing login credentials for ${server.address}` : `Not logged in to ${server.address}`);
  }
}

import * as Flags from '@oclif/core/flags';
import { BerthCommand } from '../cli/base-command.js';
import { berthGitCommit, berthVersion } from '../cli/build-info.js';
import { objectFormatFlag } from '../cli/flags.js';
import { hostArchitecture } from '../cli/platform.js';

const CLIENT_TEMPLATE = `Client:
 Version:{{"\\t"}}{{.Client.Version}}
 Git commit:{{"\\t"}}{{.Client.GitCommit}}
 Node.js version:{{"\\t"}}{{.Client.NodeVersion}}
 OS/Arch:{{"\\t"}}{{.Client.Os}}/{{.Client.Arch}}`;

const SERVER_TEMPLATE = `
Server:
{{- range .Server.Components}}
 {{.Name}}:
  Version:{{"\\t"}}{{.Version}}
  GitCommit:{{"\\t"}}{{.Details.GitCommit}}
{{- end}}`;

/** docker version's layout: tabwriter with a minimum cell width of 20 and padding 1 */
const VERSION_TABLE = { minWidth: 20, padding: 1 };

export default class Version extends BerthCommand {
  static summary = 'Show the berth version information';
  static description = 'Shows the client (berth) and the server (containerd) versions. --client skips containerd.';
  static flags = {
    format: objectFormatFlag,
    client: Flags.boolean({ description: 'show only the client version, without contacting containerd' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const { formatOne, tabwrite } = await import('../format/output.js');
    const client = { Version: berthVersion, GitCommit: berthGitCommit, NodeVersion: process.version, Os: process.platform, Arch: hostArchitecture() };
    if (flags.client) {
      this.print(flags.format ? formatOne({ Client: client }, flags.format) : tabwrite(formatOne({ Client: client }, CLIENT_TEMPLATE), VERSION_TABLE));
      return;
    }
    const { serverVersion } = await import('../runtime/system.js');
    let server;
    try {
      const containerd = await serverVersion(await this.runtime());
      server = { Version: containerd.Version, GitCommit: containerd.GitCommit, Components: [{ Name: 'containerd', Version: containerd.Version, Details: { GitCommit: containerd.GitCommit } }] };
    } catch (error) {
      // Like docker: what the client knows is still shown, then the error.
      if (!flags.format) this.print(tabwrite(formatOne({ Client: client }, CLIENT_TEMPLATE), VERSION_TABLE));
      throw error;
    }
    const version = { Client: client, Server: server };
    this.print(flags.format ? formatOne(version, flags.format) : tabwrite(formatOne(version, `${CLIENT_TEMPLATE}\n${SERVER_TEMPLATE}`), VERSION_TABLE));
  }
}

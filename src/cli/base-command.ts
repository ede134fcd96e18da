// What every berth command shares: settings resolved once from flags, env and berth.toml,
// a lazily opened containerd connection, and plain writes to stdout.

import { Command } from '@oclif/core/command';
import type { BerthConfig } from '../config/config.js';
import type { RuntimeContext } from '../runtime/context.js';
import { getGlobalFlags, setDebugMode } from './session.js';

export abstract class BerthCommand extends Command {
  /** run/create/exec set this: the argv pre-pass puts `--` before the first positional argument. */
  static splitAtFirstPositional = false;

  private resolvedSettings?: BerthConfig;
  private openedRuntime?: RuntimeContext;

  /** Resolved on first use; zod and the TOML parser load only then. */
  protected async settings(): Promise<BerthConfig> {
    if (!this.resolvedSettings) {
      const { resolveConfig } = await import('../config/config.js');
      this.resolvedSettings = resolveConfig(getGlobalFlags());
      setDebugMode(this.resolvedSettings.debug);
    }
    return this.resolvedSettings;
  }

  /** Imported on demand: gRPC costs startup time that `version --client` and `--help` need not pay. */
  protected async runtime(): Promise<RuntimeContext> {
    if (!this.openedRuntime) {
      const { openRuntime } = await import('../runtime/context.js');
      this.openedRuntime = openRuntime(await this.settings());
    }
    return this.openedRuntime;
  }

  protected print(text: string): void {
    if (text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    this.openedRuntime?.containerd.close();
    return super.finally(error);
  }
}

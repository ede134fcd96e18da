// What every berth command shares: settings resolved once from flags, env and berth.toml,
// a lazily opened containerd connection, and plain writes to stdout.

import { Command } from '@oclif/core/command';
import type { BerthConfig } from '../config/config.js';
import type { RuntimeContext } from '../runtime/context.js';
import { getGlobalFlags, setDebugMode } from './session.js';

let sessionSettings: BerthConfig | undefined;
let sessionRuntime: Promise<RuntimeContext> | undefined;

/** Resolved on first use; zod and the TOML parser load only then. */
async function resolveSessionSettings(): Promise<BerthConfig> {
  if (!sessionSettings) {
    const { resolveConfig } = await import('../config/config.js');
    sessionSettings = resolveConfig(getGlobalFlags());
    setDebugMode(sessionSettings.debug);
  }
  return sessionSettings;
}

function openSessionRuntime(): Promise<RuntimeContext> {
  sessionRuntime ??= (async () => {
    const settings = await resolveSessionSettings();
    const { openRuntime } = await import('../runtime/context.js');
    return openRuntime(settings);
  })();
  return sessionRuntime;
}

/**
 * Starts connecting to containerd while the command is still being parsed: the connection's
 * round trips then overlap that work instead of delaying the first call. Errors (a bad
 * berth.toml) wait for the command to ask, after its own usage errors.
 */
export function preconnect(): void {
  openSessionRuntime().then(
    (runtime) => runtime.containerd.connect(),
    () => undefined,
  );
}

export abstract class BerthCommand extends Command {
  /** run/create/exec set this: the argv pre-pass puts `--` before the first positional argument. */
  static splitAtFirstPositional = false;
  /** false for the commands that never call containerd: main() opens no connection ahead for them */
  static usesContainerd = true;

  private openedRuntime?: RuntimeContext;

  protected settings(): Promise<BerthConfig> {
    return resolveSessionSettings();
  }

  /** Imported on demand: gRPC costs startup time that `version --client` and `--help` need not pay. */
  protected async runtime(): Promise<RuntimeContext> {
    this.openedRuntime ??= await openSessionRuntime();
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

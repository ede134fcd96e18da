// berth's entry: Docker's argv grammar first (src/cli/argv.ts), then the oclif command;
// every error ends here, printed once on stderr and turned into Docker's exit code.

import { Config, Plugin } from '@oclif/core/config';
import type { PJSON } from '@oclif/core/interfaces';
import { fileURLToPath } from 'node:url';
import pjson from '../package.json' with { type: 'json' };
import { splitArgv } from './cli/argv.js';
import { berthGitCommit, berthVersion } from './cli/build-info.js';
import { COMMANDS } from './cli/command-map.js';
import { commandSpecs } from './cli/command-specs.js';
import { isDebugMode, setDebugMode, setGlobalFlags } from './cli/session.js';
import { argumentCountError, type ArgumentShape } from './cli/usage-errors.js';
import { BerthError, exitCodeOf } from './errors.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
/** bundled, so that oclif need not find and read package.json on every start */
const packageJson = pjson as unknown as PJSON;

/** oclif's explicit command strategy reads the commands from the bundle (package.json: oclif.commands) */
export { COMMANDS };
/** bin/run.js writes no code cache after a command that changed V8's flags (src/cli/v8-flags.ts) */
export { v8FlagsChanged } from './cli/v8-flags.js';

/**
 * The root plugin, for a command berth runs itself: oclif's own loading would read the manifest and
 * index every command and alias (~15 ms of every start), which only help uses.
 */
async function commandlessRoot(): Promise<Plugin> {
  const { commands: _commands, ...oclif } = packageJson.oclif;
  const plugin = new Plugin({ root: packageRoot, pjson: { ...packageJson, oclif }, isRoot: true, ignoreManifest: true });
  await plugin.load();
  return plugin;
}

type ParseError = Error & { parse?: unknown; flags?: string[]; args?: unknown[] };

/** oclif's parse errors become Docker's usage errors: `unknown flag: --x` + where to get help, exit 125. */
function fromOclifParseError(error: ParseError, words: readonly string[], command: ArgumentShape | undefined): BerthError {
  if (Array.isArray(error.args) && command) return argumentCountError(command, words);
  const name = ['berth', ...words].join(' ');
  const first = error.flags?.length
    ? `unknown flag: ${error.flags[0]}`
    : error.message.replace(/\nSee more help with --help$/, '').replace(/^./, (char) => char.toLowerCase());
  return new BerthError('usage', `${first}\n\nRun '${name} --help' for more information`);
}

let codeCachePath: string | undefined;

/**
 * The path this start took, for bin/load-bundle.cjs's code cache: the command and the flags it
 * was given (names only: their values take the same code). Undefined until a command ran.
 */
export function codePath(): string | undefined {
  return codeCachePath;
}

export async function main(argv: readonly string[]): Promise<number> {
  // `berth images | head -1`: a reader that has gone away ends berth quietly, as it ends docker.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  let words: readonly string[] = [];
  let command: ArgumentShape | undefined;
  try {
    const split = splitArgv(argv, commandSpecs(COMMANDS));
    words = split.commandWords;
    setGlobalFlags(split.globals);
    setDebugMode(split.globals.debug === true);
    if (split.version && !split.commandId) {
      process.stdout.write(`berth version ${berthVersion}, build ${berthGitCommit}\n`);
      return 0;
    }
    if (split.help || !split.commandId) {
      // berth has no oclif plugins: skip looking for user, dev and just-in-time ones.
      const config = await Config.load({ root: packageRoot, pjson: packageJson, userPlugins: false, devPlugins: false, jitPlugins: false });
      const { BerthHelp } = await import('./cli/help.js');
      const subject = split.commandId ? [split.commandId, ...split.commandArgv.filter((arg) => arg !== '--')] : split.topic ? [split.topic] : [];
      await new BerthHelp(config).showHelp(subject);
      return 0;
    }
    // The command class is at hand: running it directly skips oclif's command lookup and hooks,
    // which berth does not use, and their share of every invocation's startup.
    const commandClass = COMMANDS[split.commandId as keyof typeof COMMANDS];
    const config = await Config.load({ root: packageRoot, pjson: packageJson, plugins: new Map([[packageJson.name, await commandlessRoot()]]) });
    command = commandClass;
    commandClass.id = split.commandId;
    // run/create/exec: the pre-pass put `--` before the image; what follows is the container's
    const endOfOptions = split.commandArgv.indexOf('--');
    const options = endOfOptions === -1 ? split.commandArgv : split.commandArgv.slice(0, endOfOptions);
    const flagNames = new Set(options.filter((arg) => arg.startsWith('-') && arg !== '-').map((arg) => arg.replace(/=.*/s, '')));
    // berth's own background helpers (the reaper, health probes) run long and in no user's hurry
    if (!split.commandId.startsWith('internal:')) codeCachePath = [split.commandId, ...[...flagNames].sort()].join(' ').slice(0, 200);
    await commandClass.run([...split.commandArgv], config);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const reported = (error as ParseError)?.parse !== undefined ? fromOclifParseError(error as ParseError, words, command) : error;
    const message = reported instanceof Error ? reported.message : String(reported);
    if (message !== '') process.stderr.write(`${message}\n`);
    if (isDebugMode()) {
      for (let cause: unknown = reported; cause instanceof Error; cause = cause.cause) process.stderr.write(`${cause.stack}\n`);
    }
    return exitCodeOf(reported);
  }
}

// The argv pre-pass: Docker's command-line grammar, which oclif alone cannot follow.
// It takes global flags out (before the command, and their long forms after it), finds the
// command, and for run/create/exec puts `--` before the image (or container) so that what
// follows belongs to the container, `--help` and `-c` included.

import { BerthError, usageError } from '../errors.js';
import { findGlobalChar, findGlobalFlag, type GlobalFlagSpec, type GlobalFlagValues } from './globals.js';

export interface CommandFlagSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly char?: string;
  readonly takesValue: boolean;
  /** boolean flags: default value, and whether `--no-<name>` exists */
  readonly defaultsToTrue?: boolean;
  readonly negatable?: boolean;
}

export interface CommandSpec {
  /** oclif id, words joined by ':' (`namespace:ls`) */
  readonly id: string;
  readonly aliases: readonly string[];
  readonly flags: readonly CommandFlagSpec[];
  /** run/create/exec: everything from the first positional argument on is the container's */
  readonly splitAtFirstPositional: boolean;
}

export interface SplitArgv {
  readonly globals: GlobalFlagValues;
  /** undefined when no command was named (root help) */
  readonly commandId?: string;
  /** the words the user typed for the command (`ns ls`), for messages */
  readonly commandWords: readonly string[];
  readonly commandArgv: readonly string[];
  readonly help: boolean;
  readonly version: boolean;
  /** a topic named without a command (`berth namespace`): its help is shown */
  readonly topic?: string;
}

/** Words that stand for a topic, like Docker's `container`/`image` groups' short names. */
const TOPIC_ALIASES: Readonly<Record<string, string>> = { ns: 'namespace' };
const MAX_COMMAND_WORDS = 3;

export function splitArgv(argv: readonly string[], commands: readonly CommandSpec[]): SplitArgv {
  const globals: GlobalFlagValues = {};
  let help = false;
  let version = false;
  let index = 0;

  // 1. Global flags before the command.
  while (index < argv.length) {
    const token = argv[index];
    if (token === '--' || token === '-' || !token.startsWith('-')) break;
    if (token === '--help' || token === '-h') {
      help = true;
      index += 1;
    } else if (token === '--version' || token === '-v') {
      version = true;
      index += 1;
    } else if (token.startsWith('--')) {
      index = takeLongGlobal(argv, index, globals, true);
    } else {
      index = takeShortGlobals(argv, index, globals);
    }
  }
  if (argv[index] === '--') index += 1;

  // `berth help [COMMAND…]`, as `docker help` takes it.
  if (argv[index] === 'help') {
    const asked = splitArgv(argv.slice(index + 1), commands);
    return { ...asked, globals: { ...globals, ...asked.globals }, help: true, version };
  }

  // 2. The command: the longest run of words naming a command or an alias.
  const { command, words } = findCommand(argv, index, commands);
  if (!command) {
    if (words.length > 0) {
      const topic = TOPIC_ALIASES[words[0]] ?? words[0];
      if (commands.some((spec) => spec.id.startsWith(`${topic}:`))) return { globals, commandWords: [topic], commandArgv: [], help: true, version, topic };
      throw usageUnknownCommand(words.join(' '));
    }
    return { globals, commandWords: [], commandArgv: [], help: true, version };
  }
  index += words.length;

  // 3. The command's own argv.
  const rest = argv.slice(index);
  const commandArgv: string[] = [];
  for (let position = 0; position < rest.length; position += 1) {
    const token = rest[position];
    if (token === '--') {
      commandArgv.push(...rest.slice(position));
      break;
    }
    if (token === '-' || !token.startsWith('-')) {
      if (command.splitAtFirstPositional) {
        commandArgv.push('--', ...rest.slice(position));
      } else {
        const remaining = rest.slice(position);
        const endOfFlags = remaining.indexOf('--');
        const flagPart = endOfFlags === -1 ? remaining : remaining.slice(0, endOfFlags);
        if (flagPart.includes('--help') || (flagPart.includes('-h') && !hasChar(command, 'h'))) help = true;
        commandArgv.push(...remaining.filter((word, at) => !(word === '--help' && (endOfFlags === -1 || at < endOfFlags))));
      }
      break;
    }
    if (token.startsWith('--')) {
      const name = token.slice(2).split('=', 1)[0];
      const own = command.flags.find((flag) => flag.name === name || flag.aliases.includes(name));
      if (own && !own.takesValue && token.includes('=')) {
        commandArgv.push(...booleanWithValue(own, token));
      } else if (own) {
        commandArgv.push(token);
        if (own.takesValue && !token.includes('=') && position + 1 < rest.length) {
          commandArgv.push(rest[position + 1]);
          position += 1;
        }
      } else if (name === 'help') {
        help = true;
      } else if (findGlobalFlag(name)) {
        position = takeLongGlobal(rest, position, globals, false);
        position -= 1;
      } else {
        commandArgv.push(token); // oclif names it as unknown
      }
      continue;
    }
    if (token === '-h' && !hasChar(command, 'h')) {
      help = true;
      continue;
    }
    // pflag's `-p=false`, `-e=A=1`: a shorthand with its value after `=`
    const shortWithValue = /^-([a-zA-Z])=(.*)$/s.exec(token);
    const shortFlag = shortWithValue ? command.flags.find((flag) => flag.char === shortWithValue[1]) : undefined;
    if (shortWithValue && shortFlag) {
      if (shortFlag.takesValue) commandArgv.push(`-${shortWithValue[1]}`, shortWithValue[2]);
      else commandArgv.push(...booleanWithValue(shortFlag, `--${shortFlag.name}=${shortWithValue[2]}`));
      continue;
    }
    commandArgv.push(token);
    if (bundleWantsNextToken(token, command) && position + 1 < rest.length) {
      commandArgv.push(rest[position + 1]);
      position += 1;
    }
  }

  return { globals, commandId: command.id, commandWords: words, commandArgv, help, version };
}

/** Docker's `--rm=false`, `--disable-content-trust=true`: oclif's booleans take no value. */
function booleanWithValue(flag: CommandFlagSpec, token: string): string[] {
  const value = parseBoolean(token.slice(token.indexOf('=') + 1), `--${flag.name}`);
  if (value) return [`--${flag.name}`];
  if (flag.negatable) return [`--no-${flag.name}`];
  if (!flag.defaultsToTrue) return [];
  throw usageError(`--${flag.name}=false is not supported`);
}

function hasChar(command: CommandSpec, char: string): boolean {
  return command.flags.some((flag) => flag.char === char);
}

/** In `-itp 80:80` or `-p`, the last value-taking short flag takes the next word unless the bundle holds its value. */
function bundleWantsNextToken(token: string, command: CommandSpec): boolean {
  const chars = token.slice(1);
  for (let at = 0; at < chars.length; at += 1) {
    const flag = command.flags.find((candidate) => candidate.char === chars[at]);
    if (!flag) return false;
    if (flag.takesValue) return at === chars.length - 1;
  }
  return false;
}

function findCommand(argv: readonly string[], start: number, commands: readonly CommandSpec[]): { command?: CommandSpec; words: string[] } {
  const words: string[] = [];
  for (let at = start; at < argv.length && words.length < MAX_COMMAND_WORDS; at += 1) {
    if (argv[at].startsWith('-')) break;
    words.push(argv[at]);
  }
  for (let count = words.length; count > 0; count -= 1) {
    const candidate = words.slice(0, count);
    const topic = TOPIC_ALIASES[candidate[0]];
    const ids = [candidate.join(':')];
    if (topic) ids.push([topic, ...candidate.slice(1)].join(':'));
    for (const id of ids) {
      const command = commands.find((spec) => spec.id === id || spec.aliases.includes(id));
      if (command) return { command, words: candidate };
    }
  }
  return { words: words.slice(0, 1) };
}

function takeLongGlobal(argv: readonly string[], index: number, globals: GlobalFlagValues, strict: boolean): number {
  const token = argv[index];
  const equals = token.indexOf('=');
  const name = equals === -1 ? token.slice(2) : token.slice(2, equals);
  const spec = findGlobalFlag(name);
  if (!spec) {
    if (strict) throw usageError(`unknown flag: --${name}`);
    return index + 1;
  }
  if (!spec.takesValue) {
    const value = equals === -1 ? true : parseBoolean(token.slice(equals + 1), `--${name}`);
    setGlobal(globals, spec, value);
    return index + 1;
  }
  if (equals !== -1) {
    setGlobal(globals, spec, token.slice(equals + 1));
    return index + 1;
  }
  if (index + 1 >= argv.length) throw usageError(`flag needs an argument: --${name}`);
  setGlobal(globals, spec, argv[index + 1]);
  return index + 2;
}

function takeShortGlobals(argv: readonly string[], index: number, globals: GlobalFlagValues): number {
  const token = argv[index];
  const chars = token.slice(1);
  for (let at = 0; at < chars.length; at += 1) {
    const spec = findGlobalChar(chars[at]);
    if (!spec) throw usageError(`unknown shorthand flag: '${chars[at]}' in ${token}`);
    if (!spec.takesValue) {
      setGlobal(globals, spec, true);
      continue;
    }
    const attached = chars.slice(at + 1).replace(/^=/, '');
    if (attached !== '') {
      setGlobal(globals, spec, attached);
      return index + 1;
    }
    if (index + 1 >= argv.length) throw usageError(`flag needs an argument: '${chars[at]}' in ${token}`);
    setGlobal(globals, spec, argv[index + 1]);
    return index + 2;
  }
  return index + 1;
}

function setGlobal(globals: GlobalFlagValues, spec: GlobalFlagSpec, value: string | boolean): void {
  if (spec.repeatable) {
    const previous = globals[spec.name];
    globals[spec.name] = [...(Array.isArray(previous) ? previous : []), String(value)];
  } else {
    globals[spec.name] = value;
  }
}

function parseBoolean(text: string, flag: string): boolean {
  if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(text)) return true;
  if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(text)) return false;
  throw usageError(`invalid argument "${text}" for "${flag}" flag: strconv.ParseBool: parsing "${text}": invalid syntax`);
}

/** Docker 28 exits 1 (not 125) for an unknown command. */
function usageUnknownCommand(word: string): BerthError {
  return new BerthError('usage', `unknown command: berth ${word}\n\nRun 'berth --help' for more information`, { exitCode: 1 });
}

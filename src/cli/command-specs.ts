// The argv pre-pass's view of oclif's command classes: ids, aliases and flag shapes.

import type { Command } from '@oclif/core';
import type { CommandFlagSpec, CommandSpec } from './argv.js';

type FlagDefinition = { char?: string; type: 'boolean' | 'option'; aliases?: string[]; default?: unknown; allowNo?: boolean };
type CommandClass = typeof Command & { splitAtFirstPositional?: boolean };

export function commandSpecs(commands: Readonly<Record<string, CommandClass>>): CommandSpec[] {
  return Object.entries(commands).map(([id, command]) => {
    const definitions = { ...(command.baseFlags ?? {}), ...(command.flags ?? {}) } as Record<string, FlagDefinition>;
    const flags: CommandFlagSpec[] = Object.entries(definitions).map(([name, flag]) => ({
      name,
      aliases: flag.aliases ?? [],
      char: flag.char,
      takesValue: flag.type === 'option',
      defaultsToTrue: flag.type === 'boolean' && flag.default === true,
      negatable: flag.allowNo === true,
    }));
    return { id, aliases: [...(command.aliases ?? []), ...(command.hiddenAliases ?? [])], flags, splitAtFirstPositional: command.splitAtFirstPositional === true };
  });
}

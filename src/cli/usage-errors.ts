// Docker's usage errors that oclif words its own way.

import { BerthError } from '../errors.js';

/** What a command class says of its arguments (oclif's static fields) */
export interface ArgumentShape {
  readonly args?: Record<string, { readonly required?: boolean }>;
  readonly strict?: boolean;
  readonly usage?: string | string[];
  readonly flags?: Record<string, unknown>;
}

/** `[OPTIONS] CONTAINER [CONTAINER...]`, from the command's flags and arguments */
function derivedUsage(command: ArgumentShape): string {
  const args = Object.entries(command.args ?? {});
  const words = args.map(([arg, { required }], index) => {
    const word = arg.toUpperCase();
    const repeated = command.strict === false && index === args.length - 1 ? ` [${word}...]` : '';
    return required ? `${word}${repeated}` : `[${word}]${repeated}`;
  });
  const options = Object.keys(command.flags ?? {}).some((flag) => flag !== 'help') ? ['[OPTIONS]'] : [];
  return [...options, ...words].join(' ');
}

/**
 * Too few arguments, as Docker's CLI says it (cobra's argument checks): exit 1, the usage line,
 * and "See" after an "at least" check but "Run" after an exact one, as docker 28 words them.
 */
export function argumentCountError(command: ArgumentShape, words: readonly string[]): BerthError {
  const name = ['berth', ...words].join(' ');
  const args = Object.entries(command.args ?? {});
  const required = args.filter(([, arg]) => arg.required).length;
  const exact = command.strict !== false && required === args.length;
  const count = exact ? `${required}` : command.strict === false || required === args.length ? `at least ${required}` : `at least ${required} and at most ${args.length}`;
  const usages = command.usage !== undefined ? [command.usage].flat() : [derivedUsage(command)];
  return new BerthError(
    'usage',
    `berth: '${name}' requires ${count} argument${required === 1 ? '' : 's'}\n\nUsage:  ${usages.map((usage) => `${name} ${usage}`).join('\n\t')}\n\n${exact ? 'Run' : 'See'} '${name} --help' for more information`,
    { exitCode: 1 },
  );
}


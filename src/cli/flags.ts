// Flags that several commands share, defined once.

import * as Flags from '@oclif/core/flags';

/** List commands: `-f` is their --filter, as in Docker, so --format has no short form. */
export const formatFlag = Flags.string({
  description: "format output: 'table', 'table TEMPLATE', 'json' or a Go template",
  helpValue: 'string',
});

/** A single-object command (`version`, `info`, `inspect`): no table mode. */
export const objectFormatFlag = Flags.string({
  char: 'f',
  description: "format output: 'json' or a Go template",
  helpValue: 'string',
});

export const labelFlag = Flags.string({
  char: 'l',
  description: 'set a label (key=value); repeatable',
  multiple: true,
  multipleNonGreedy: true,
  helpValue: 'key=value',
});

/** `stop` and `restart`: the signal to stop with and how long to wait before SIGKILL. */
export const stopFlags = {
  signal: Flags.string({ char: 's', description: 'signal to send to the container' }),
  timeout: Flags.integer({ char: 't', aliases: ['time'], description: 'seconds to wait before killing the container' }),
};

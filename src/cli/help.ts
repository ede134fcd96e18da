// oclif's help, plus what oclif does not know about: berth's global options.

import { Help } from '@oclif/core/help';
import { GLOBAL_FLAGS } from './globals.js';

function globalOptionsSection(): string {
  const rows = GLOBAL_FLAGS.map((flag) => {
    const names = [...(flag.chars ?? []).map((char) => `-${char}`), `--${flag.name}`, ...(flag.aliases ?? []).map((alias) => `--${alias}`)].join(', ');
    const value = flag.takesValue ? ' <value>' : '';
    const env = flag.env ? ` [env: ${flag.env}]` : '';
    return [`${names}${value}`, `${flag.description}${env}`];
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return ['GLOBAL OPTIONS', ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`), '', 'Global options go before the command; their long forms also work after it.'].join('\n');
}

export class BerthHelp extends Help {
  protected async showRootHelp(): Promise<void> {
    await super.showRootHelp();
    this.log(globalOptionsSection());
  }
}

// Commands that act on several objects (`rm a b c`) go on past a failure, report each
// failure on stderr as it happens, and exit 1 at the end, as Docker does.

import { BerthError, exitCodeOf } from '../errors.js';

/** Thrown after every failure was already printed: main prints nothing more. */
export class ReportedFailure extends BerthError {
  constructor(exitCode: number) {
    super('internal', '', { exitCode });
  }
}

export async function forEachTarget(targets: readonly string[], action: (target: string) => Promise<void>): Promise<void> {
  let failure: unknown;
  for (const target of targets) {
    try {
      await action(target);
    } catch (error) {
      failure = error;
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  if (failure !== undefined) throw new ReportedFailure(exitCodeOf(failure) === 125 ? 125 : 1);
}

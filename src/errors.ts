// One error type for everything berth reports to a user. The category decides the
// exit code (in exitCodeOf, the only place that maps categories to codes).

export type ErrorCategory =
  | 'usage' // bad flags/arguments: exit 125 like Docker's CLI
  | 'not-found'
  | 'already-exists'
  | 'invalid-argument'
  | 'failed-precondition'
  | 'unavailable' // containerd or a registry cannot be reached
  | 'permission-denied'
  | 'unauthorized'
  | 'canceled'
  | 'deadline-exceeded'
  | 'not-implemented'
  | 'internal';

export class BerthError extends Error {
  readonly category: ErrorCategory;
  /** An exit code that overrides the category's, e.g. 125 for `run` failing before the container starts. */
  readonly exitCode?: number;

  constructor(category: ErrorCategory, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BerthError';
    this.category = category;
    this.exitCode = options.exitCode;
  }
}

export function usageError(message: string): BerthError {
  return new BerthError('usage', message);
}

export function isBerthError(error: unknown, category?: ErrorCategory): error is BerthError {
  return error instanceof BerthError && (category === undefined || error.category === category);
}

/** Docker's exit codes: 125 for usage errors, 1 for every other failure unless the error says otherwise. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof BerthError) {
    if (error.exitCode !== undefined) return error.exitCode;
    return error.category === 'usage' ? 125 : 1;
  }
  return 1;
}

/** Adds context in front of an error's message, keeping its category: `pulling "x": unauthorized`. */
export function withContext(context: string, error: unknown): BerthError {
  if (error instanceof BerthError) {
    return new BerthError(error.category, `${context}: ${error.message}`, { cause: error.cause ?? error, exitCode: error.exitCode });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BerthError('internal', `${context}: ${message}`, { cause: error });
}

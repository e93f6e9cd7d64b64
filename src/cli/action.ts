import { isEnsembleError } from '../common/errors.js';

/** Exit codes of every CLI verb (docs/cli.md "Exit codes and errors"). */
export const EXIT_OK = 0;
/** A user error: bad file, unknown unit, bad argument. */
export const EXIT_USER_ERROR = 1;
/** The supervisor cannot be reached. */
export const EXIT_UNREACHABLE = 2;

/**
 * Wrap a verb's implementation: user mistakes print as one line without a
 * stack trace (`supervisor: message`) and exit 1; an unreachable supervisor
 * exits 2; anything unexpected prints its stack and exits 1.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void> | number | void) {
  return async (...args: A): Promise<void> => {
    try {
      const code = await fn(...args);
      process.exitCode = typeof code === 'number' ? code : EXIT_OK;
    } catch (e) {
      process.exitCode = reportError(e);
    }
  };
}

/** Print an error the way the CLI does and return the exit code to use. */
export function reportError(e: unknown): number {
  if (isEnsembleError(e)) {
    process.stderr.write(`supervisor: ${e.message}\n`);
    return e.code === 'ENS_E_UNREACHABLE' ? EXIT_UNREACHABLE : EXIT_USER_ERROR;
  }
  process.stderr.write(`supervisor: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT_USER_ERROR;
}

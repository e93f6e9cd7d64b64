import { InvalidArgumentError } from '../common/errors.js';

/**
 * Parse `--set key=value` options into params. Keys are names
 * (`[A-Za-z_][A-Za-z0-9_.-]*`); the value is everything after the first `=`.
 * Throws {@link InvalidArgumentError} with a one-line message.
 */
export function parseParams(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      throw new InvalidArgumentError(`--set expects key=value with a name as key, got "${item}"`);
    }
    out[key] = item.slice(eq + 1);
  }
  return out;
}

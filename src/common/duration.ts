/**
 * Durations: the one parser and the formatters of every duration Ensemble
 * reads or writes (the language, environment variables, unit properties,
 * messages, `ps`). Milliseconds throughout.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;

/** How {@link parseDuration} reads a number written without a unit. */
export interface DurationOptions {
  /**
   * The unit of a bare number: `'s'` for unit properties (systemd's
   * convention), `'ms'` for the network's environment variables. Without it
   * a bare number is not a duration (the language: write `5s`, not `5`).
   */
  readonly bareUnit?: 'ms' | 's';
}

/**
 * `250ms`, `30s`, `1.5m`, `2h`, `1d` (blanks around and before the unit are
 * allowed) → whole milliseconds; null when the text is not a duration. A bare
 * number is one only with {@link DurationOptions.bareUnit}.
 */
export function parseDuration(text: string, options: DurationOptions = {}): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const unit = m[2] ?? options.bareUnit;
  if (unit === undefined) return null;
  return Math.round(Number(m[1]) * (UNIT_MS[unit] as number));
}

const EXACT_UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/**
 * A duration as the language writes it, exactly: `250ms`, `30s`, `10m`,
 * `1h`, `2d` (the largest unit that divides it), so that
 * `parseDuration(formatDuration(ms)) === ms`. For `supervisor render`.
 */
export function formatDuration(ms: number): string {
  for (const [unit, f] of EXACT_UNITS) {
    if (ms >= f && ms % f === 0) return `${ms / f}${unit}`;
  }
  return `${ms}ms`;
}

/** `250ms`, `1.5s`, `1.234s`, `600s`: a duration in a message (seconds with at most three decimals from one second on). */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(3))}s` : `${Math.round(ms)}ms`;
}

/** `45s`, `3m12s`, `2h05m`, `3d04h`: an elapsed time to whole seconds, its two most significant parts (the uptime column of `ps`). */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

import { InvalidArgumentError, parseDuration } from '../../src/sdk/host.js';

/** A unit's properties as read from `ENSEMBLE_PROPERTIES` (or a host child's `properties`). */
export type Properties = Readonly<Record<string, unknown>>;

/** A property value the unit cannot use: the message names the property and what was expected. */
export class PropertyError extends InvalidArgumentError {
  constructor(owner: string, name: string, expected: string, got: unknown) {
    super(`${owner}: property "${name}" must be ${expected}, not ${JSON.stringify(got)}`);
  }
}

/**
 * A duration property in milliseconds: `"250ms"`, `"30s"`, `"10m"` (the
 * language's durations) or a bare number of seconds (systemd's convention).
 */
export function durationProperty(props: Properties, name: string, fallbackMs: number, owner: string): number {
  const value = props[name];
  if (value === undefined) return fallbackMs;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.round(value * 1000);
  if (typeof value === 'string') {
    const ms = parseDuration(value, { bareUnit: 's' });
    if (ms !== null && ms > 0) return ms;
  }
  throw new PropertyError(owner, name, 'a duration such as "30s" (a bare number means seconds)', value);
}

/** A string property, or `fallback` when absent. */
export function stringProperty<T extends string | null>(props: Properties, name: string, fallback: T, owner: string): string | T {
  const value = props[name];
  if (value === undefined) return fallback;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new PropertyError(owner, name, 'a string', value);
}

/** A non-negative integer property (a number or a numeric string). */
export function integerProperty(props: Properties, name: string, fallback: number, owner: string): number {
  const value = props[name];
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
  throw new PropertyError(owner, name, 'a non-negative integer', value);
}

/** A boolean property: true/false, or the strings "true"/"false"/"yes"/"no"/"on"/"off"/"1"/"0". */
export function booleanProperty(props: Properties, name: string, fallback: boolean, owner: string): boolean {
  const value = props[name];
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  const parsed = parseBoolean(String(value));
  if (parsed !== null) return parsed;
  throw new PropertyError(owner, name, 'true or false', value);
}

/** `true/false/yes/no/on/off/1/0` (any case) → boolean; null otherwise. */
export function parseBoolean(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(t)) return true;
  if (['false', 'no', 'off', '0'].includes(t)) return false;
  return null;
}

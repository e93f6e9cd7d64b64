import { parseBoolean } from '../common/properties.js';
import { StoreValueError } from './store-errors.js';

/** A stored value: a number, a string or a boolean. */
export type StoreValue = number | string | boolean;

/** The type of a key, fixed by its declaration or its first value. */
export type ValueType = 'number' | 'string' | 'boolean';

/** A value with its unit of measure and the time it was set. */
export interface Measure {
  readonly key: string;
  readonly value: StoreValue;
  /** Unit of measure ("C", "%"); may be empty. */
  readonly unit: string;
  /** Epoch milliseconds. */
  readonly timeMs: number;
}

/** The type of `value`. */
export function typeOf(value: StoreValue): ValueType {
  return typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
}

/** True for the names of {@link ValueType}. */
export function isValueType(text: unknown): text is ValueType {
  return text === 'number' || text === 'string' || text === 'boolean';
}

/**
 * Parse a line written to a key's file as the key's type: a number
 * (`21.5`, `-3`, `1e3`), a boolean (`true/false/on/off/yes/no/1/0`) or text as is.
 */
export function parseText(key: string, type: ValueType, text: string): StoreValue {
  if (type === 'string') return text;
  if (type === 'boolean') {
    const b = parseBoolean(text);
    if (b === null) throw new StoreValueError(`key "${key}" holds a boolean: write true or false, not "${text}"`);
    return b;
  }
  const trimmed = text.trim();
  const n = trimmed === '' ? NaN : Number(trimmed);
  if (!Number.isFinite(n)) throw new StoreValueError(`key "${key}" holds a number: "${text}" is not a number`);
  return n;
}

/** A value as the text of its file (numbers in JavaScript's shortest form). */
export function formatValue(value: StoreValue): string {
  return String(value);
}

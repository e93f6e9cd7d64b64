import { validateResourcePath } from '../../src/sdk/resource-table.js';
import { errorMessage } from '../common/unit-log.js';
import type { KeyDeclaration } from './key-schema.js';
import { typeOf, type Measure, type StoreValue, type ValueType } from './measure.js';
import { StoreValueError, UnknownKeyError } from './store-errors.js';

/** Options of a {@link MeasureStore}. */
export interface MeasureStoreOptions {
  /** Past measures kept per key (the current one included). */
  readonly history: number;
  /** Refuse keys that are not declared. */
  readonly strict: boolean;
  readonly declarations: readonly KeyDeclaration[];
  /** Longest string value accepted. */
  readonly maxText?: number;
}

interface Entry {
  readonly type: ValueType;
  unit: string;
  readonly writable: boolean;
  history: Measure[];
}

/** A change: the new measure of a key. */
export type StoreListener = (measure: Measure, isNewKey: boolean) => void;

/** Saved form of the store (persistence). */
export interface StoreSnapshot {
  readonly version: 1;
  readonly keys: Record<string, { type: ValueType; unit: string; history: Measure[] }>;
}

const DEFAULT_MAX_TEXT = 64 * 1024;

/**
 * The store's data: typed keys with a bounded history, type and strictness
 * checks, and change listeners. Keys are resource paths (letters, digits,
 * `_ . -` segments separated by `/`).
 */
export class MeasureStore {
  private readonly entries = new Map<string, Entry>();
  private readonly declared = new Map<string, KeyDeclaration>();
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly options: MeasureStoreOptions) {
    for (const d of options.declarations) {
      validateKey(d.key);
      this.declared.set(d.key, d);
      this.entries.set(d.key, { type: d.type, unit: d.unit, writable: d.writable, history: [] });
    }
  }

  /** Put back a saved snapshot; keys or values that no longer fit the declarations are skipped (and returned as messages). */
  restore(snapshot: StoreSnapshot): string[] {
    const problems: string[] = [];
    for (const [key, saved] of Object.entries(snapshot.keys)) {
      try {
        this.checkKey(key, saved.type);
        const entry = this.entryFor(key, saved.type, saved.unit);
        entry.history = saved.history.filter((m) => typeOf(m.value) === entry.type).slice(-this.options.history);
      } catch (e) {
        problems.push(`saved key "${key}" skipped: ${errorMessage(e)}`);
      }
    }
    return problems;
  }

  /** Give declared keys without a value their `default`. */
  applyDefaults(now = Date.now()): void {
    for (const d of this.declared.values()) {
      const entry = this.entries.get(d.key);
      if (d.initial !== null && entry && entry.history.length === 0) entry.history.push({ key: d.key, value: d.initial, unit: entry.unit, timeMs: now });
    }
  }

  /** Store `value` at `key`; `unit` empty keeps the key's unit. Throws StoreValueError. */
  set(key: string, value: StoreValue, unit = '', options: { fromFile?: boolean } = {}): Measure {
    this.checkKey(key, typeOf(value));
    if (typeof value === 'number' && !Number.isFinite(value)) throw new StoreValueError(`key "${key}": ${value} is not a finite number`);
    if (typeof value === 'string' && value.length > (this.options.maxText ?? DEFAULT_MAX_TEXT)) throw new StoreValueError(`key "${key}": text longer than ${this.options.maxText ?? DEFAULT_MAX_TEXT} characters`);
    const isNew = !this.entries.has(key);
    const entry = this.entryFor(key, typeOf(value), unit);
    if (options.fromFile && !entry.writable) throw new StoreValueError(`key "${key}" is read-only`);
    if (unit) entry.unit = unit;
    const measure: Measure = { key, value, unit: entry.unit, timeMs: Date.now() };
    entry.history.push(measure);
    if (entry.history.length > this.options.history) entry.history.splice(0, entry.history.length - this.options.history);
    for (const l of [...this.listeners]) l(measure, isNew);
    return measure;
  }

  /** The current measure of `key`. Throws UnknownKeyError (also for a declared key without a value yet). */
  get(key: string): Measure {
    const last = this.entries.get(key)?.history.at(-1);
    if (!last) throw new UnknownKeyError(key);
    return last;
  }

  /** The last `n` measures of `key`, oldest first. */
  history(key: string, n: number): Measure[] {
    this.get(key);
    return n <= 0 ? [] : (this.entries.get(key)?.history.slice(-n) ?? []);
  }

  /** Type of `key`, or null when unknown. */
  typeOf(key: string): ValueType | null {
    return this.entries.get(key)?.type ?? null;
  }

  /** True when the key's file accepts writes. */
  isWritable(key: string): boolean {
    return this.entries.get(key)?.writable ?? true;
  }

  /** Every key (declared or set), sorted. */
  keys(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Current measures of keys equal to or under `prefix` (all for ''), sorted by key. */
  list(prefix = ''): Measure[] {
    return this.keys()
      .filter((k) => prefix === '' || k === prefix || k.startsWith(`${prefix.replace(/\/$/, '')}/`))
      .flatMap((k) => this.entries.get(k)?.history.slice(-1) ?? []);
  }

  /** Listen to every change; returns an unsubscribe function. */
  onChange(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What persistence saves. */
  snapshot(): StoreSnapshot {
    const keys: StoreSnapshot['keys'] = {};
    for (const [key, e] of this.entries) if (e.history.length > 0) keys[key] = { type: e.type, unit: e.unit, history: e.history };
    return { version: 1, keys };
  }

  private checkKey(key: string, type: ValueType): void {
    validateKey(key);
    const entry = this.entries.get(key);
    if (!entry && this.options.strict) throw new StoreValueError(`key "${key}" is not declared (the store is strict)`);
    if (entry && entry.type !== type) throw new StoreValueError(`key "${key}" holds a ${entry.type}, not a ${type}`);
  }

  private entryFor(key: string, type: ValueType, unit: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { type, unit, writable: true, history: [] };
      this.entries.set(key, entry);
    }
    return entry;
  }
}

/** Keys are resource paths: throws StoreValueError otherwise. */
export function validateKey(key: string): void {
  try {
    validateResourcePath(key);
  } catch {
    throw new StoreValueError(`key "${key}" is invalid: use segments of letters, digits or "_ . -" separated by "/"`);
  }
}

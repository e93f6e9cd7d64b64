import type { PropertyValue } from './plan.js';
import type { Reporter } from './reporter.js';
import type { RealPosition } from './source-map.js';
import type { FieldNode, ValueNode } from './syntax/ast.js';
import { clipText } from './clip-text.js';
import { didYouMean } from './did-you-mean.js';
import { parseDuration } from '../common/duration.js';
import { parsePercent } from '../common/percent.js';
import { parseSize } from '../common/size.js';

/** How a value is named in "got …" messages. */
export function describeValue(v: ValueNode): string {
  switch (v.kind) {
    case 'string':
      return `the string "${clipText(v.value)}"`;
    case 'number':
      return `the number ${clipText(v.raw)}`;
    case 'boolean':
      return `the boolean ${v.value}`;
    case 'duration':
      return `the duration ${v.raw}`;
    case 'size':
      return `the size ${v.raw}`;
    case 'percent':
      return `the percent ${v.raw}`;
    case 'word':
      return `the name ${clipText(v.value)}`;
    case 'list':
      return 'a list';
    case 'block':
      return 'a block';
    case 'invalid':
      return `"${clipText(v.raw)}"`;
  }
}

const INVALID_HINT = 'is not a valid value (numbers: 10, durations: 250ms 30s 10m, sizes: 256MB, percents: 50%)';

/**
 * Reads the fields of one block with typed accessors. Unknown fields (with a
 * "did you mean"), duplicates and wrong types are reported; accessors return
 * undefined for absent or wrong values so compilation goes on and every
 * error of a file is reported in one run.
 */
export class FieldReader {
  readonly #fields = new Map<string, FieldNode>();
  readonly #prefix: string;
  readonly #r: Reporter;

  constructor(fields: readonly FieldNode[], allowed: readonly string[], prefix: string, reporter: Reporter, what = 'field') {
    this.#prefix = prefix;
    this.#r = reporter;
    for (const f of fields) {
      if (!allowed.includes(f.key)) {
        const hint = didYouMean(f.key, allowed);
        reporter.invalid(f.keyPos, `unknown ${what} "${prefix}${f.key}"${hint === '' ? `; expected one of: ${allowed.join(', ')}` : hint}`);
        continue;
      }
      const first = this.#fields.get(f.key);
      if (first) {
        reporter.invalid(f.keyPos, `"${prefix}${f.key}" is given twice (first at line ${first.keyPos.line})`);
        continue;
      }
      this.#fields.set(f.key, f);
    }
  }

  /** The raw field, when present. */
  field(key: string): FieldNode | undefined {
    return this.#fields.get(key);
  }

  has(key: string): boolean {
    return this.#fields.has(key);
  }

  /** Report a wrong value for a field. */
  wrong(key: string, expected: string, v: ValueNode): undefined {
    this.#r.invalid(v.pos, v.kind === 'invalid' ? `${this.#prefix}${key}: "${v.raw}" ${INVALID_HINT}` : `${this.#prefix}${key}: expected ${expected}, got ${describeValue(v)}`);
    return undefined;
  }

  /** Report a custom problem at a field's value. */
  problem(key: string, message: string, pos?: RealPosition): void {
    const f = this.#fields.get(key);
    this.#r.invalid(pos ?? f?.value.pos ?? { file: '', line: 1, column: 1 }, `${this.#prefix}${key}: ${message}`);
  }

  duration(key: string): number | undefined {
    const v = this.#fields.get(key)?.value;
    if (!v) return undefined;
    const expected = 'a duration such as "250ms" or "30s"';
    const ms = v.kind === 'duration' ? v.ms : v.kind === 'string' ? parseDuration(v.value) : null;
    if (ms === null) return this.wrong(key, expected, v);
    return ms;
  }

  size(key: string): number | undefined {
    const v = this.#fields.get(key)?.value;
    if (!v) return undefined;
    const b = v.kind === 'size' ? v.bytes : v.kind === 'string' ? parseSize(v.value) : null;
    if (b === null) return this.wrong(key, 'a size such as "256MB" or "1GiB"', v);
    return b;
  }

  percent(key: string): number | undefined {
    const v = this.#fields.get(key)?.value;
    if (!v) return undefined;
    const p = v.kind === 'percent' ? v.value : v.kind === 'string' ? parsePercent(v.value) : null;
    if (p === null || p <= 0) return this.wrong(key, 'a percent of one core such as "50%" or "200%"', v);
    return p;
  }

  integer(key: string, min: number): number | undefined {
    const v = this.#fields.get(key)?.value;
    if (!v) return undefined;
    const n = v.kind === 'number' ? v.value : v.kind === 'string' && /^\s*-?\d+\s*$/.test(v.value) ? Number(v.value) : null;
    if (n === null || !Number.isInteger(n) || n < min) return this.wrong(key, `a whole number of at least ${min}`, v);
    return n;
  }

  boolean(key: string): boolean | undefined {
    const v = this.#fields.get(key)?.value;
    if (!v) return undefined;
    if (v.kind === 'boolean') return v.value;
    if (v.kind === 'string' && (v.value === 'true' || v.value === 'false')) return v.value === 'true';
    return this.wrong(key, 'true or false', v);
  }

  /** A string (quoted, or a bare name when `words` is true). */
  string(key: string, words = false): string | undefined {
    const v = this.#fields.get(key)?.value;
    if (!v) return undefined;
    if (v.kind === 'string' || (words && v.kind === 'word')) return v.value;
    return this.wrong(key, 'a string', v);
  }

  /** One of a fixed set of words, bare or quoted. */
  choice<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const v = this.#fields.get(key)?.value;
    if (!v) return undefined;
    const s = v.kind === 'string' || v.kind === 'word' ? v.value : null;
    if (s !== null && (choices as readonly string[]).includes(s)) return s as T;
    if (s !== null) {
      this.#r.invalid(v.pos, `${this.#prefix}${key}: "${s}" is not one of ${choices.join(', ')}${didYouMean(s, choices)}`);
      return undefined;
    }
    return this.wrong(key, `one of ${choices.join(', ')}`, v);
  }

  /** The fields of a nested block (`key { … }` or `key: { … }`). */
  block(key: string): readonly FieldNode[] | undefined {
    const v = this.#fields.get(key)?.value;
    if (!v) return undefined;
    if (v.kind === 'block') return v.fields;
    return this.wrong(key, 'a block { … }', v);
  }
}

/** Convert any value to plain property data (durations, sizes and percents keep their text). */
export function toProperty(v: ValueNode, where: string, r: Reporter): PropertyValue | undefined {
  switch (v.kind) {
    case 'string':
    case 'word':
      return v.value;
    case 'number':
    case 'boolean':
      return v.value;
    case 'duration':
    case 'size':
    case 'percent':
      return v.raw;
    case 'list': {
      const out: PropertyValue[] = [];
      for (const item of v.items) {
        const p = toProperty(item, where, r);
        if (p !== undefined) out.push(p);
      }
      return out;
    }
    case 'block':
      return toPropertyBlock(v.fields, where, r);
    case 'invalid':
      r.invalid(v.pos, `${where}: "${v.raw}" ${INVALID_HINT}`);
      return undefined;
  }
}

/** Convert the fields of a block to a plain object, reporting duplicate keys. */
export function toPropertyBlock(fields: readonly FieldNode[], where: string, r: Reporter): Record<string, PropertyValue> {
  const out: Record<string, PropertyValue> = {};
  const seen = new Map<string, FieldNode>();
  for (const f of fields) {
    const first = seen.get(f.key);
    if (first) {
      r.invalid(f.keyPos, `${where}.${f.key} is given twice (first at line ${first.keyPos.line})`);
      continue;
    }
    seen.set(f.key, f);
    const p = toProperty(f.value, `${where}.${f.key}`, r);
    if (p !== undefined) out[f.key] = p;
  }
  return out;
}

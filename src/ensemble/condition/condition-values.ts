import { clipText } from '../clip-text.js';

/**
 * A machine fact with the names it goes by: `platform` is Node's name
 * (`linux`, `darwin`) and also Tinkwell's (`linux`, `osx`); it equals a
 * string that is any of them. `spellings` are the values the variable can
 * take on any machine, for telling a misspelt comparison from a false one.
 */
export class NamedValue {
  constructor(
    /** The variable, for messages. */
    readonly variable: string,
    /** The value as printed and used by string functions. */
    readonly value: string,
    /** Every string this value is equal to (`value` included). */
    readonly names: readonly string[],
    /** Every value of this variable on any machine, and the name of that list (`Node's names`). */
    readonly spellings: readonly string[],
    readonly spellingsAre: string,
    /** Other names of these values, lower case → the spelling meant (`x86_64` → `X64`). */
    readonly hints: Readonly<Record<string, string>> = {},
  ) {}
}

/** A value in a condition: unset (`null`) is an unset `env.X`/`params.x`. */
export type Value = string | number | boolean | null | NamedValue;

/** The plain value (a named value as its printed name). */
export function plain(v: Value): string | number | boolean | null {
  return v instanceof NamedValue ? v.value : v;
}

/** How a value is named in a message. */
export function describe(v: Value): string {
  const p = plain(v);
  if (p === null) return 'an unset value';
  if (typeof p === 'string') return `the string '${clipText(p)}'`;
  if (typeof p === 'number') return `the number ${p}`;
  return `the boolean ${p}`;
}

/** A number, or a string that is one (`params.replicas`), else null. */
export function numeric(v: Value): number | null {
  const p = plain(v);
  return typeof p === 'number' ? p : typeof p === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(p) ? Number(p) : null;
}

/**
 * `==` as conditions mean it: a number and a numeric string compare as
 * numbers; a named value equals any of its names; otherwise the same type
 * and value (strings case-sensitively, as NCalc compares them).
 */
export function same(l: Value, r: Value): boolean {
  if (l instanceof NamedValue) return typeof plain(r) === 'string' ? l.names.includes(plain(r) as string) : false;
  if (r instanceof NamedValue) return same(r, l);
  const ln = numeric(l);
  const rn = numeric(r);
  if (ln !== null && rn !== null && (typeof l === 'number' || typeof r === 'number')) return ln === rn;
  return l === r;
}

/**
 * The spelling a literal compared with a named value was meant to be, when it
 * is one of the variable's values written another way (`os_architecture ==
 * 'x64'`: .NET calls it `X64`) and so could never be equal; else null.
 */
export function misspelt(v: NamedValue, literal: string): string | null {
  if (v.names.includes(literal) || v.spellings.includes(literal)) return null;
  const lower = literal.toLowerCase();
  return v.spellings.find((s) => s.toLowerCase() === lower) ?? v.hints[lower] ?? null;
}

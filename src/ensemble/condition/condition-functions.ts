import { clipText } from '../clip-text.js';
import { ConditionError } from './condition-error.js';
import { describe, numeric, plain, same, type Value } from './condition-values.js';

/** A function conditions have: its arity and what it computes from its (lazily evaluated) arguments. */
interface CondFunction {
  readonly min: number;
  /** Infinity: any number of further arguments. */
  readonly max: number;
  readonly call: (arg: (i: number) => Value, argc: number, name: string, offset: number) => Value;
}

const text = (v: Value): string | null => {
  const p = plain(v);
  return p === null ? null : String(p);
};

function needText(v: Value, name: string, offset: number): string | null {
  const p = plain(v);
  if (p !== null && typeof p !== 'string') throw new ConditionError(`${name}() needs a string, got ${describe(v)}`, offset);
  return p;
}

function needNumber(v: Value, name: string, offset: number): number {
  const n = numeric(v);
  if (n === null) throw new ConditionError(`${name}() needs a number, got ${describe(v)}`, offset);
  return n;
}

/** One element of a wildcard pattern: `*`, `?`, a character class, or a character. */
type PatternPart = { readonly kind: 'star' } | { readonly kind: 'one' } | { readonly kind: 'set'; readonly test: (c: string) => boolean } | { readonly kind: 'char'; readonly c: string };

/** Split a wildcard pattern (lower case) into parts; null when a `[` is not closed. */
function patternParts(pattern: string): PatternPart[] | null {
  const parts: PatternPart[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') parts.push({ kind: 'star' });
    else if (c === '?') parts.push({ kind: 'one' });
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) return null;
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      const ranges: [string, string][] = [];
      for (let j = 0; j < body.length; j++) {
        const a = body[j] as string;
        if (body[j + 1] === '-' && j + 2 < body.length) {
          ranges.push([a, body[j + 2] as string]);
          j += 2;
        } else ranges.push([a, a]);
      }
      parts.push({ kind: 'set', test: (x) => ranges.some(([lo, hi]) => x >= lo && x <= hi) !== negate });
      i = close;
    } else parts.push({ kind: 'char', c });
  }
  return parts;
}

/** Steps one match() may take (the worst case is the text's length times the pattern's): far above a real condition, well below a stalled compile. */
export const MAX_MATCH_STEPS = 20_000_000;

/**
 * Tinkwell's `match` (its Wildcards.md): the whole text, case-insensitively; `*` any run of
 * characters, `?` one, `[abc]`, `[a-z]`, `[^abc]` one of (or none of) a set. At most
 * length × pattern steps (one backtrack point, no regular expression), and
 * at most {@link MAX_MATCH_STEPS}. Null for a pattern with an unclosed `[` or
 * a match that would take more steps.
 */
export function wildcardMatch(text: string, pattern: string): boolean | null {
  const parts = patternParts(pattern.toLowerCase());
  if (parts === null) return null;
  const value = text.toLowerCase();
  const fits = (p: PatternPart, c: string): boolean => p.kind === 'one' || (p.kind === 'char' ? p.c === c : p.kind === 'set' && p.test(c));
  let v = 0;
  let p = 0;
  let star = -1;
  let mark = 0;
  let steps = 0;
  while (v < value.length) {
    if (++steps > MAX_MATCH_STEPS) return null;
    const part = parts[p];
    if (part !== undefined && part.kind !== 'star' && fits(part, value[v] as string)) {
      v++;
      p++;
    } else if (part?.kind === 'star') {
      star = p++;
      mark = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++mark;
    } else return false;
  }
  while (parts[p]?.kind === 'star') p++;
  return p === parts.length;
}

/** The functions of NCalc and Tinkwell that conditions have (names are case-insensitive: NCalc's `Max` is `max`). */
const FUNCTIONS: Readonly<Record<string, CondFunction>> = {
  in: {
    min: 2,
    max: Infinity,
    call: (arg, argc) => {
      const v = arg(0);
      for (let i = 1; i < argc; i++) if (same(v, arg(i))) return true;
      return false;
    },
  },
  if: {
    min: 3,
    max: 3,
    call: (arg, _argc, name, offset) => {
      const c = plain(arg(0));
      if (typeof c !== 'boolean') throw new ConditionError(`${name}() needs true or false as its first argument, got ${describe(arg(0))}`, offset);
      return arg(c ? 1 : 2);
    },
  },
  is_null: { min: 1, max: 1, call: (arg) => plain(arg(0)) === null },
  is_null_or_empty: { min: 1, max: 1, call: (arg) => (text(arg(0)) ?? '') === '' },
  is_null_or_white_space: { min: 1, max: 1, call: (arg) => (text(arg(0)) ?? '').trim() === '' },
  or_empty: { min: 1, max: 1, call: (arg) => text(arg(0)) ?? '' },
  to_lower: { min: 1, max: 1, call: (arg, _c, name, offset) => needText(arg(0), name, offset)?.toLowerCase() ?? null },
  to_upper: { min: 1, max: 1, call: (arg, _c, name, offset) => needText(arg(0), name, offset)?.toUpperCase() ?? null },
  trim: { min: 1, max: 1, call: (arg, _c, name, offset) => needText(arg(0), name, offset)?.trim() ?? '' },
  length: { min: 1, max: 1, call: (arg, _c, name, offset) => needText(arg(0), name, offset)?.length ?? 0 },
  concat: { min: 2, max: 2, call: (arg) => (text(arg(0)) ?? '') + (text(arg(1)) ?? '') },
  match: {
    min: 2,
    max: 2,
    call: (arg, _c, name, offset) => {
      const v = needText(arg(0), name, offset);
      const pattern = needText(arg(1), name, offset);
      if (v === null || pattern === null) return false;
      const matched = wildcardMatch(v, pattern);
      if (matched === null) {
        if (patternParts(pattern.toLowerCase()) === null) throw new ConditionError(`${name}(): unclosed "[" in the pattern '${clipText(pattern)}'`, offset);
        throw new ConditionError(`${name}(): matching ${v.length} characters against a ${pattern.length}-character pattern takes more than ${MAX_MATCH_STEPS} steps`, offset);
      }
      return matched;
    },
  },
  cstr: { min: 1, max: 1, call: (arg) => text(arg(0)) ?? '' },
  cint: { min: 1, max: 1, call: (arg, _c, name, offset) => Math.trunc(needNumber(arg(0), name, offset)) },
  clong: { min: 1, max: 1, call: (arg, _c, name, offset) => Math.trunc(needNumber(arg(0), name, offset)) },
  cdouble: { min: 1, max: 1, call: (arg, _c, name, offset) => needNumber(arg(0), name, offset) },
  cfloat: { min: 1, max: 1, call: (arg, _c, name, offset) => needNumber(arg(0), name, offset) },
  cbool: {
    min: 1,
    max: 1,
    call: (arg, _c, name, offset) => {
      const p = plain(arg(0));
      if (typeof p === 'boolean') return p;
      if (typeof p === 'number') return p !== 0;
      if (typeof p === 'string' && /^(true|false)$/i.test(p.trim())) return p.trim().toLowerCase() === 'true';
      throw new ConditionError(`${name}() needs true/false, a number or 'true'/'false', got ${describe(arg(0))}`, offset);
    },
  },
  abs: { min: 1, max: 1, call: (arg, _c, name, offset) => Math.abs(needNumber(arg(0), name, offset)) },
  min: { min: 2, max: 2, call: (arg, _c, name, offset) => Math.min(needNumber(arg(0), name, offset), needNumber(arg(1), name, offset)) },
  max: { min: 2, max: 2, call: (arg, _c, name, offset) => Math.max(needNumber(arg(0), name, offset), needNumber(arg(1), name, offset)) },
};

/** Functions of NCalc and Tinkwell that conditions do not have, and why (said in one line). */
const REFUSED: ReadonlyArray<[readonly string[], string]> = [
  [
    ['now', 'parse_date', 'format_date', 'date_diff', 'date_add', 'year', 'month', 'day', 'hour', 'minute', 'second', 'parse_timespan', 'timespan_add', 'timespan_diff', 'ago', 'from_now'],
    'dates and times have no meaning in a condition here: a plan must not depend on the clock (use a schedule block for time)',
  ],
  [['regex_match', 'regex_extract'], 'regular expressions are not evaluated in conditions (a pattern can take exponential time); use match() with * and ? wildcards'],
  [['any', 'all'], 'they evaluate a string as an expression, which conditions never do'],
  [['at', 'count', 'first', 'skip', 'take', 'sum', 'avg', 'split', 'join', 'segment_at'], 'conditions have no lists'],
  [['json_value', 'json_path', 'json_get_string', 'json_get_int', 'json_get_long', 'json_get_single', 'json_get_double', 'json_get_boolean'], 'conditions have no JSON payloads (they are for measures and MQTT mappings in Tinkwell)'],
  [['base64_encode', 'base64_decode', 'md5', 'sha256', 'json_encode', 'url_encode'], 'encodings and hashes have no meaning in a condition'],
  [
    ['acos', 'asin', 'atan', 'atan2', 'ceiling', 'cos', 'exp', 'floor', 'ieee_remainder', 'ieeeremainder', 'ln', 'log', 'log10', 'pow', 'round', 'sign', 'sin', 'sqrt', 'tan', 'truncate', 'ifs'],
    'conditions compare values; they do no arithmetic beyond abs, min and max',
  ],
];

const AVAILABLE = Object.keys(FUNCTIONS).join(', ');

/** Check a call while parsing: a function conditions have, with a number of arguments it takes. */
export function checkFunction(written: string, argc: number, offset: number): void {
  const name = written.toLowerCase();
  const f = FUNCTIONS[name];
  if (f === undefined) {
    const refused = REFUSED.find(([names]) => names.includes(name));
    if (refused) throw new ConditionError(`function ${written}() (NCalc/Tinkwell) is not available in conditions: ${refused[1]}`, offset);
    throw new ConditionError(`unknown function ${clipText(written)}() (conditions have: ${AVAILABLE})`, offset);
  }
  if (argc < f.min || argc > f.max) {
    const wants = f.max === Infinity ? `at least ${f.min}` : f.min === f.max ? `${f.min}` : `${f.min} to ${f.max}`;
    throw new ConditionError(`${written}() takes ${wants} argument${wants === '1' ? '' : 's'}, got ${argc}`, offset);
  }
}

/** Call a function checked by {@link checkFunction}; `arg(i)` evaluates argument i (only when asked: `if` evaluates one branch). */
export function callFunction(name: string, written: string, arg: (i: number) => Value, argc: number, offset: number): Value {
  return (FUNCTIONS[name] as CondFunction).call(arg, argc, written, offset);
}

import { clipText } from '../clip-text.js';
import { ConditionError } from './condition-error.js';

/** A token of the condition language. */
export interface CondToken {
  readonly type: 'num' | 'str' | 'ident' | 'op' | 'lparen' | 'rparen' | 'comma' | 'end';
  readonly text: string;
  /** Decoded value for `num`/`str`. */
  readonly value?: string | number;
  /** An `ident` written as NCalc's bracket parameter (`[name]`, `{name}`): always a variable, never a keyword. */
  readonly bracketed?: boolean;
  readonly offset: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<>', '<', '>', '=', '!'];

/** NCalc operators conditions here do not have (they would compute, not compare). */
const ARITHMETIC = ['<<', '>>', '+', '-', '*', '/', '%', '&', '|', '^', '~'];

// Sticky: each is tried at one offset (`lastIndex`), never on a copy of the rest of the text.
const SPACE = /\s+/y;
const NUMBER = /-?\d+(?:\.\d+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*/y;

function matchAt(re: RegExp, text: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0] : null;
}

/** NCalc's bracket parameter `[name]` or `{name}` at `start`: its name and where it ends (linear: one scan to the closing bracket). */
function bracketParameter(text: string, start: number): { name: string; end: number } {
  const close = text[start] === '[' ? ']' : '}';
  const end = text.indexOf(close, start + 1);
  if (end < 0) throw new ConditionError(`unterminated parameter in condition: missing closing ${close}`, start);
  const name = text.slice(start + 1, end);
  if (name.trim() === '') throw new ConditionError(`empty parameter name "${text[start]}${close}" in condition`, start);
  return { name, end: end + 1 };
}

/**
 * Split a condition into tokens. Strings use single or double quotes;
 * identifiers may be dotted (`env.SITE`, `params.mode`); NCalc's bracket
 * parameters (`[name with spaces]`, `{name}`) are identifiers. Linear in
 * the length of the text.
 */
export function tokenizeCondition(text: string): CondToken[] {
  const out: CondToken[] = [];
  let i = 0;
  while (i < text.length) {
    const space = matchAt(SPACE, text, i);
    if (space) {
      i += space.length;
      continue;
    }
    const c = text[i] as string;
    const start = i;
    if (c === "'" || c === '"') {
      const parts: string[] = [];
      let from = ++i;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) {
          parts.push(text.slice(from, i));
          from = ++i;
        }
        i++;
      }
      if (i >= text.length) throw new ConditionError(`unterminated string in condition: missing closing ${c}`, start);
      parts.push(text.slice(from, i));
      i++;
      out.push({ type: 'str', text: text.slice(start, i), value: parts.join(''), offset: start });
      continue;
    }
    if (c === '[' || c === '{') {
      const p = bracketParameter(text, start);
      out.push({ type: 'ident', text: p.name, bracketed: true, offset: start });
      i = p.end;
      continue;
    }
    const num = matchAt(NUMBER, text, i);
    if (num) {
      i += num.length;
      out.push({ type: 'num', text: num, value: Number(num), offset: start });
      continue;
    }
    const id = matchAt(IDENT, text, i);
    if (id) {
      i += id.length;
      out.push({ type: 'ident', text: id, offset: start });
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ type: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, offset: start });
      i++;
      continue;
    }
    const arithmetic = ARITHMETIC.find((o) => text.startsWith(o, i) && !OPERATORS.some((p) => p.length > o.length && text.startsWith(p, i)));
    const op = arithmetic === '<<' || arithmetic === '>>' ? undefined : OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      out.push({ type: 'op', text: op, offset: start });
      i += op.length;
      continue;
    }
    if (arithmetic) {
      throw new ConditionError(`operator "${arithmetic}" (NCalc arithmetic) has no meaning in a condition here: conditions compare values (==, <, in(…)) and combine them (and, or, not)`, start);
    }
    if (c === '#') {
      const end = text.indexOf('#', i + 1);
      const literal = end < 0 ? '#' : text.slice(start, end + 1);
      throw new ConditionError(`date literal "${clipText(literal)}" (NCalc) has no meaning in a condition here: a plan must not depend on the clock`, start);
    }
    throw new ConditionError(`unexpected character "${c}" in condition`, start);
  }
  out.push({ type: 'end', text: '', offset: text.length });
  return out;
}

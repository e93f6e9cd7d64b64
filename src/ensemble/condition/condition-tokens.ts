import { ConditionError } from './condition-error.js';

/** A token of the condition language. */
export interface CondToken {
  readonly type: 'num' | 'str' | 'ident' | 'op' | 'lparen' | 'rparen' | 'end';
  readonly text: string;
  /** Decoded value for `num`/`str`. */
  readonly value?: string | number;
  readonly offset: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<>', '<', '>', '=', '!'];

// Sticky: each is tried at one offset (`lastIndex`), never on a copy of the rest of the text.
const SPACE = /\s+/y;
const NUMBER = /-?\d+(?:\.\d+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*/y;

function matchAt(re: RegExp, text: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0] : null;
}

/**
 * Split a condition into tokens. Strings use single or double quotes;
 * identifiers may be dotted (`env.SITE`, `params.mode`). Linear in the
 * length of the text.
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
    if (c === '(' || c === ')') {
      out.push({ type: c === '(' ? 'lparen' : 'rparen', text: c, offset: start });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      out.push({ type: 'op', text: op, offset: start });
      i += op.length;
      continue;
    }
    throw new ConditionError(`unexpected character "${c}" in condition`, start);
  }
  out.push({ type: 'end', text: '', offset: text.length });
  return out;
}

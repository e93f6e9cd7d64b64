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

/**
 * Split a condition into tokens. Strings use single or double quotes;
 * identifiers may be dotted (`env.SITE`, `params.mode`).
 */
export function tokenizeCondition(text: string): CondToken[] {
  const out: CondToken[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new ConditionError(`unterminated string in condition: missing closing ${c}`, start);
      i++;
      out.push({ type: 'str', text: text.slice(start, i), value, offset: start });
      continue;
    }
    const num = /^-?\d+(?:\.\d+)?/.exec(text.slice(i));
    if (num && (c !== '-' || /\d/.test(text[i + 1] ?? ''))) {
      i += num[0].length;
      out.push({ type: 'num', text: num[0], value: Number(num[0]), offset: start });
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*/.exec(text.slice(i));
    if (id) {
      i += id[0].length;
      out.push({ type: 'ident', text: id[0], offset: start });
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

import { MAX_CONDITION_NESTING } from '../limits.js';
import { ConditionError } from './condition-error.js';
import { tokenizeCondition, type CondToken } from './condition-tokens.js';
import { checkFunction } from './condition-functions.js';

/** The syntax tree of a condition. */
export type CondExpr =
  | { readonly type: 'literal'; readonly value: string | number | boolean; readonly offset: number }
  | { readonly type: 'variable'; readonly name: string; readonly offset: number }
  | { readonly type: 'not'; readonly operand: CondExpr; readonly offset: number }
  /** `a and b and c`: every operand in order, `offsets[i]` the operator before `operands[i + 1]` (flat, however long the chain). */
  | { readonly type: 'logical'; readonly op: 'and' | 'or'; readonly operands: readonly CondExpr[]; readonly offsets: readonly number[]; readonly offset: number }
  | { readonly type: 'compare'; readonly op: '==' | '!=' | '<' | '<=' | '>' | '>='; readonly left: CondExpr; readonly right: CondExpr; readonly offset: number }
  /** An NCalc function call such as `in(platform, 'linux', 'bsd')`; `name` is lower case. */
  | { readonly type: 'call'; readonly name: string; readonly written: string; readonly args: readonly CondExpr[]; readonly offset: number };

const COMPARE: Record<string, '==' | '!=' | '<' | '<=' | '>' | '>='> = { '==': '==', '=': '==', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/**
 * Parse a condition. Grammar (lowest precedence first):
 * `or` (`||`) → `and` (`&&`) → `not` (`!`) → comparison (`== = != <> < <= > >=`) →
 * literal | variable | `[bracket parameter]` | function call `name(a, b, …)` | `( … )`.
 * Keywords (`and or not true false`) are case-insensitive, as in NCalc.
 * Chains of `and`/`or` and argument lists are flat; `( … )`, calls and `not` nest at most
 * {@link MAX_CONDITION_NESTING} deep (the parser and the evaluator recurse once per level).
 */
export function parseCondition(text: string): CondExpr {
  const tokens = tokenizeCondition(text);
  let i = 0;
  const peek = (): CondToken => tokens[i] as CondToken;
  const next = (): CondToken => tokens[i++] as CondToken;
  const isWord = (t: CondToken, ...words: string[]): boolean => t.type === 'ident' && t.bracketed !== true && words.includes(t.text.toLowerCase());
  const isOp = (t: CondToken, ...ops: string[]): boolean => t.type === 'op' && ops.includes(t.text);
  const describe = (t: CondToken): string => (t.type === 'end' ? 'the end of the condition' : `"${t.text}"`);
  let depth = 0;
  const deeper = (t: CondToken): void => {
    if (++depth > MAX_CONDITION_NESTING) throw new ConditionError(`nesting deeper than ${MAX_CONDITION_NESTING} levels of "(" and "not"`, t.offset);
  };

  const chain = (op: 'and' | 'or', word: string, symbol: string, operand: () => CondExpr): CondExpr => {
    const first = operand();
    if (!(isWord(peek(), word) || isOp(peek(), symbol))) return first;
    const operands = [first];
    const offsets: number[] = [];
    while (isWord(peek(), word) || isOp(peek(), symbol)) {
      offsets.push(next().offset);
      operands.push(operand());
    }
    return { type: 'logical', op, operands, offsets, offset: offsets[0] as number };
  };
  const orExpr = (): CondExpr => chain('or', 'or', '||', andExpr);
  const andExpr = (): CondExpr => chain('and', 'and', '&&', notExpr);
  const notExpr = (): CondExpr => {
    if (isWord(peek(), 'not') || isOp(peek(), '!')) {
      const t = next();
      deeper(t);
      const operand = notExpr();
      depth--;
      return { type: 'not', operand, offset: t.offset };
    }
    return comparison();
  };
  const comparison = (): CondExpr => {
    const left = primary();
    const t = peek();
    const op = t.type === 'op' ? COMPARE[t.text] : undefined;
    if (op === undefined) return left;
    next();
    const right = primary();
    const after = peek();
    if (after.type === 'op' && COMPARE[after.text] !== undefined) {
      throw new ConditionError(`comparisons cannot be chained; use "and" between them`, after.offset);
    }
    return { type: 'compare', op, left, right, offset: t.offset };
  };
  const primary = (): CondExpr => {
    const t = next();
    switch (t.type) {
      case 'num':
        return { type: 'literal', value: t.value as number, offset: t.offset };
      case 'str':
        return { type: 'literal', value: t.value as string, offset: t.offset };
      case 'lparen': {
        deeper(t);
        const e = orExpr();
        depth--;
        const close = next();
        if (close.type !== 'rparen') throw new ConditionError(`expected ")", found ${describe(close)}`, close.offset);
        return e;
      }
      case 'ident':
        if (t.bracketed) return { type: 'variable', name: t.text, offset: t.offset };
        if (isWord(t, 'true', 'false')) return { type: 'literal', value: t.text.toLowerCase() === 'true', offset: t.offset };
        if (isWord(t, 'and', 'or', 'not')) throw new ConditionError(`expected a value, found "${t.text}"`, t.offset);
        if (peek().type === 'lparen') return call(t);
        return { type: 'variable', name: t.text, offset: t.offset };
      default:
        throw new ConditionError(`expected a value (string, number, true/false, variable or "("), found ${describe(t)}`, t.offset);
    }
  };

  const call = (t: CondToken): CondExpr => {
    const name = t.text.toLowerCase();
    const open = next();
    deeper(open);
    const args: CondExpr[] = [];
    if (peek().type !== 'rparen') {
      args.push(orExpr());
      while (peek().type === 'comma') {
        next();
        args.push(orExpr());
      }
    }
    depth--;
    const close = next();
    if (close.type !== 'rparen') throw new ConditionError(`expected "," or ")" in the arguments of ${t.text}(…), found ${describe(close)}`, close.offset);
    checkFunction(t.text, args.length, t.offset);
    return { type: 'call', name, written: t.text, args, offset: t.offset };
  };

  const expr = orExpr();
  const rest = peek();
  if (rest.type !== 'end') throw new ConditionError(`expected "and", "or" or the end of the condition, found ${describe(rest)}`, rest.offset);
  return expr;
}

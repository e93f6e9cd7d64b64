import type { TemplateScope } from '../template-scope.js';
import { callFunction } from './condition-functions.js';
import { ConditionError } from './condition-error.js';
import { parseCondition, type CondExpr } from './condition-parser.js';
import { describe, misspelt, NamedValue, numeric, plain, same, type Value } from './condition-values.js';
import { lookupVariable } from './condition-variables.js';

/**
 * A named value compared with a string literal it can never equal because the
 * literal is one of its values spelt another way (`os_architecture == 'x64'`):
 * an error saying which spelling was meant, instead of a silent false.
 */
function checkSpelling(v: Value, other: CondExpr, offset: number): void {
  if (!(v instanceof NamedValue) || other.type !== 'literal' || typeof other.value !== 'string') return;
  const meant = misspelt(v, other.value);
  if (meant !== null) {
    throw new ConditionError(`${v.variable} is never '${other.value}': its values are ${v.spellingsAre}; did you mean '${meant}'?`, other.offset ?? offset);
  }
}

function evaluate(e: CondExpr, scope: TemplateScope): Value {
  switch (e.type) {
    case 'literal':
      return e.value;
    case 'variable':
      return lookupVariable(e.name, scope, e.offset);
    case 'not': {
      const v = plain(evaluate(e.operand, scope));
      if (typeof v !== 'boolean') throw new ConditionError(`"not" needs true or false, got ${describe(v)}`, e.offset);
      return !v;
    }
    case 'logical': {
      // Every operand is evaluated (and checked), left to right, as the nested pairs `(a and b) and c` were.
      let result = e.op === 'and';
      e.operands.forEach((operand, i) => {
        const v = plain(evaluate(operand, scope));
        if (typeof v !== 'boolean') {
          const side = i === 0 ? 'left' : 'right';
          throw new ConditionError(`"${e.op}" needs true or false on its ${side}, got ${describe(v)}`, e.offsets[Math.max(0, i - 1)] as number);
        }
        result = e.op === 'and' ? result && v : result || v;
      });
      return result;
    }
    case 'call': {
      const values: Value[] = [];
      const arg = (i: number): Value => {
        if (!(i in values)) values[i] = evaluate(e.args[i] as CondExpr, scope);
        return values[i] as Value;
      };
      if (e.name === 'in') {
        const first = arg(0);
        e.args.slice(1).forEach((a) => checkSpelling(first, a, e.offset));
      }
      return callFunction(e.name, e.written, arg, e.args.length, e.offset);
    }
    case 'compare': {
      const l = evaluate(e.left, scope);
      const r = evaluate(e.right, scope);
      if (e.op === '==' || e.op === '!=') {
        checkSpelling(l, e.right, e.offset);
        checkSpelling(r, e.left, e.offset);
        const eq = same(l, r);
        return e.op === '==' ? eq : !eq;
      }
      const ln = numeric(l);
      const rn = numeric(r);
      const lp = plain(l);
      const rp = plain(r);
      let cmp: number;
      if (ln !== null && rn !== null) cmp = ln - rn;
      else if (typeof lp === 'string' && typeof rp === 'string') cmp = lp < rp ? -1 : lp > rp ? 1 : 0;
      else throw new ConditionError(`"${e.op}" compares two numbers or two strings, got ${describe(l)} and ${describe(r)}`, e.offset);
      return e.op === '<' ? cmp < 0 : e.op === '<=' ? cmp <= 0 : e.op === '>' ? cmp > 0 : cmp >= 0;
    }
  }
}

/**
 * Evaluate an `if "…"` condition against the scope. Unset `env.X`/`params.x`
 * are an unset value (equal to nothing); unknown variables are errors; the
 * result must be a boolean (or, as in Tinkwell, the string 'true' or 'false'). Throws {@link ConditionError} with an offset.
 */
export function evaluateCondition(text: string, scope: TemplateScope): boolean {
  if (text.trim() === '') throw new ConditionError('empty condition', 0);
  let result = plain(evaluate(parseCondition(text), scope));
  // Tinkwell converts the result as .NET's Convert.ToBoolean does a string: `if "[enabled]"` with enabled=true.
  if (typeof result === 'string' && /^\s*(true|false)\s*$/i.test(result)) result = result.trim().toLowerCase() === 'true';
  if (typeof result !== 'boolean') throw new ConditionError(`a condition must be true or false, got ${describe(result)}`, 0);
  return result;
}

import { clipText } from '../clip-text.js';
import type { TemplateScope } from '../template-scope.js';
import { ConditionError } from './condition-error.js';
import { parseCondition, type CondExpr } from './condition-parser.js';

type Value = string | number | boolean | null;

const KNOWN = 'platform, arch, hostname, node, env.NAME, params.KEY';

function describe(v: Value): string {
  if (v === null) return 'an unset value';
  if (typeof v === 'string') return `the string '${clipText(v)}'`;
  if (typeof v === 'number') return `the number ${v}`;
  return `the boolean ${v}`;
}

function lookup(name: string, scope: TemplateScope, offset: number): Value {
  switch (name) {
    case 'platform':
      return scope.platform;
    case 'arch':
    case 'cpu_architecture':
    case 'os_architecture':
      return scope.arch;
    case 'hostname':
      return scope.hostname;
    case 'node':
      return scope.node;
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    const head = name.slice(0, dot);
    const key = name.slice(dot + 1);
    if (head === 'env') return scope.env[key] ?? null;
    if (head === 'params') return scope.params[key] ?? null;
  }
  throw new ConditionError(`unknown variable "${clipText(name)}" (known: ${KNOWN})`, offset);
}

const numeric = (v: Value): number | null => (typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : null);

function evaluate(e: CondExpr, scope: TemplateScope): Value {
  switch (e.type) {
    case 'literal':
      return e.value;
    case 'variable':
      return lookup(e.name, scope, e.offset);
    case 'not': {
      const v = evaluate(e.operand, scope);
      if (typeof v !== 'boolean') throw new ConditionError(`"not" needs true or false, got ${describe(v)}`, e.offset);
      return !v;
    }
    case 'logical': {
      // Every operand is evaluated (and checked), left to right, as the nested pairs `(a and b) and c` were.
      let result = e.op === 'and';
      e.operands.forEach((operand, i) => {
        const v = evaluate(operand, scope);
        if (typeof v !== 'boolean') {
          const side = i === 0 ? 'left' : 'right';
          throw new ConditionError(`"${e.op}" needs true or false on its ${side}, got ${describe(v)}`, e.offsets[Math.max(0, i - 1)] as number);
        }
        result = e.op === 'and' ? result && v : result || v;
      });
      return result;
    }
    case 'compare': {
      const l = evaluate(e.left, scope);
      const r = evaluate(e.right, scope);
      const ln = numeric(l);
      const rn = numeric(r);
      const bothNumeric = ln !== null && rn !== null && (typeof l === 'number' || typeof r === 'number');
      if (e.op === '==' || e.op === '!=') {
        const eq = bothNumeric ? ln === rn : l === r;
        return e.op === '==' ? eq : !eq;
      }
      let cmp: number;
      if (ln !== null && rn !== null) cmp = ln - rn;
      else if (typeof l === 'string' && typeof r === 'string') cmp = l < r ? -1 : l > r ? 1 : 0;
      else throw new ConditionError(`"${e.op}" compares two numbers or two strings, got ${describe(l)} and ${describe(r)}`, e.offset);
      return e.op === '<' ? cmp < 0 : e.op === '<=' ? cmp <= 0 : e.op === '>' ? cmp > 0 : cmp >= 0;
    }
  }
}

/**
 * Evaluate an `if "…"` condition against the scope. Unset `env.X`/`params.x`
 * are an unset value (equal to nothing); unknown variables are errors; the
 * result must be a boolean. Throws {@link ConditionError} with an offset.
 */
export function evaluateCondition(text: string, scope: TemplateScope): boolean {
  if (text.trim() === '') throw new ConditionError('empty condition', 0);
  const result = evaluate(parseCondition(text), scope);
  if (typeof result !== 'boolean') throw new ConditionError(`a condition must be true or false, got ${describe(result)}`, 0);
  return result;
}

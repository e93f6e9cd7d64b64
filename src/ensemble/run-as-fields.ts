import { runAsNameProblem, type RunAsFields } from '../common/user-database.js';
import type { FieldReader } from './field-reader.js';
import type { ValueNode } from './syntax/ast.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A name or numeric id: a string, a bare name or a whole number. */
function idText(v: ValueNode): string | null {
  if (v.kind === 'string' || v.kind === 'word') return v.value;
  if (v.kind === 'number' && Number.isInteger(v.value) && v.value >= 0) return v.raw;
  return null;
}

const EXPECTED = 'a user or group name ("plant") or a numeric id (1001)';

/**
 * The run-as fields of a runner: `user`, `group` (a name or a numeric id) and
 * `groups` (a list of them). Only what is written is returned (absent fields
 * stay absent in the UnitSpec). Whether the names exist is checked against
 * this machine's databases later, once placement is known (run-as-check.ts).
 */
export function readRunAs(reader: FieldReader): RunAsFields {
  const out: Mutable<RunAsFields> = {};
  for (const key of ['user', 'group'] as const) {
    const v = reader.field(key)?.value;
    if (!v) continue;
    const text = idText(v);
    if (text === null) {
      reader.wrong(key, EXPECTED, v);
      continue;
    }
    const problem = runAsNameProblem(text);
    if (problem) reader.problem(key, problem);
    else out[key] = text;
  }
  const list = reader.field('groups')?.value;
  if (list) {
    const items = list.kind === 'list' ? list.items : [list];
    const groups: string[] = [];
    let ok = true;
    for (const item of items) {
      const text = idText(item);
      const problem = text === null ? null : runAsNameProblem(text);
      if (text === null) reader.wrong('groups', `a list of group names or ids such as ["dialout", "gpio"]`, item);
      else if (problem) reader.problem('groups', problem, item.pos);
      else if (groups.includes(text)) reader.problem('groups', `"${text}" is listed twice`, item.pos);
      else {
        groups.push(text);
        continue;
      }
      ok = false;
    }
    if (ok) out.groups = groups;
  }
  return out;
}

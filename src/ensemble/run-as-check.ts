import { resolveCredentials, RunAsLookupError, type UserDatabase } from '../common/user-database.js';
import type { CompiledUnit } from './compile-runner.js';
import type { Reporter } from './reporter.js';

/**
 * Check the `user`, `group` and `groups` of the units placed on this node
 * against this machine's user and group databases, so an unknown name is a
 * `file:line:col` error of the plan rather than a failed start. (Units of
 * other nodes are checked by the supervisor of their node. The supervisor
 * checks again at every start: the databases may change.)
 */
export function checkRunAs(units: readonly CompiledUnit[], r: Reporter, db?: UserDatabase): void {
  for (const u of units) {
    const { spec } = u;
    if (spec.user === undefined && spec.group === undefined && spec.groups === undefined) continue;
    try {
      resolveCredentials(spec, db);
    } catch (e) {
      if (!(e instanceof RunAsLookupError)) throw e;
      const field = u.node.fields.find((f) => f.key === e.field);
      const value = field?.value;
      const item = e.index !== null && value?.kind === 'list' ? value.items[e.index] : undefined;
      r.invalid(item?.pos ?? value?.pos ?? u.namePos, `${e.field}: ${e.message}`);
    }
  }
}

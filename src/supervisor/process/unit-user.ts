import { ownIds, resolveCredentials, RunAsLookupError, type RunAsFields, type UnitCredentials } from '../../common/user-database.js';
import { SpawnError } from '../supervisor-errors.js';

/**
 * Why this supervisor cannot start a unit with `creds`, or null. Root can
 * run a unit as anyone; another user only as itself (same uid and gid, no
 * `groups`), which needs no change at all.
 */
export function runAsProblem(creds: UnitCredentials, self: { uid: number; gid: number } = ownIds()): string | null {
  if (self.uid === 0 || !needsChange(creds, self)) return null;
  return `running as ${creds.description} needs a supervisor running as root (this one runs as uid ${self.uid}); start it as root, or remove user, group and groups`;
}

/**
 * The `setpriv` options that switch to `creds` (after the cgroup was entered,
 * before the program runs): `--reuid --regid` and `--init-groups`,
 * `--groups` or `--clear-groups`. Empty when nothing changes.
 */
export function setprivCredentialArgs(creds: UnitCredentials | null, self: { uid: number; gid: number } = ownIds()): string[] {
  if (creds === null || !needsChange(creds, self)) return [];
  const args = ['--reuid', String(creds.uid), '--regid', String(creds.gid)];
  if (creds.groups === 'init') args.push('--init-groups');
  else if (creds.groups.length === 0) args.push('--clear-groups');
  else args.push('--groups', creds.groups.join(','));
  return args;
}

/** True when running as `creds` is not simply running as the supervisor. */
export function needsChange(creds: UnitCredentials, self: { uid: number; gid: number } = ownIds()): boolean {
  return creds.uid !== self.uid || creds.gid !== self.gid || creds.groups !== 'init' || self.uid === 0;
}

/**
 * The credentials a unit starts with, checked for this supervisor: null
 * when it has no run-as fields. Throws {@link SpawnError} with one line for
 * an unknown user or group, or when this supervisor may not switch to them.
 */
export function unitCredentials(unit: string, fields: RunAsFields): UnitCredentials | null {
  let creds: UnitCredentials | null;
  try {
    creds = resolveCredentials(fields);
  } catch (e) {
    if (e instanceof RunAsLookupError) throw new SpawnError(unit, `${e.field}: ${e.message}`);
    throw e;
  }
  const problem = creds === null ? null : runAsProblem(creds);
  if (problem !== null) throw new SpawnError(unit, problem);
  return creds;
}

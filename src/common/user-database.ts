/**
 * Users and groups: the run-as fields of a unit resolved against this
 * machine's user and group databases. Used by the compiler (unknown names are
 * plan errors) and by the supervisor (what a unit starts as).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The run-as fields of a unit (`user`, `group`, `groups` of the language; names or numeric ids). */
export interface RunAsFields {
  readonly user?: string;
  readonly group?: string;
  readonly groups?: readonly string[];
}

/** What a unit runs as, resolved against the user and group databases. */
export interface UnitCredentials {
  readonly uid: number;
  readonly gid: number;
  /** The user's name when it has an entry in the user database (needed for its own supplementary groups). */
  readonly userName: string | null;
  /** Supplementary group ids, or `init`: the user's own memberships (initgroups(3), as `setpriv --init-groups`). */
  readonly groups: readonly number[] | 'init';
  /** For messages: `user "plant" (uid 1001)`, `group "dialout" (gid 20)`. */
  readonly description: string;
}

/** A run-as field that names no user or group of this machine. */
export class RunAsLookupError extends Error {
  constructor(
    message: string,
    /** The field at fault. */
    readonly field: 'user' | 'group' | 'groups',
    /** For `groups`: the index of the item at fault. */
    readonly index: number | null = null,
  ) {
    super(message);
    this.name = 'RunAsLookupError';
  }
}

/** A user of the user database. */
export interface UserEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** A group of the group database. */
export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
}

/** The user and group databases: `/etc/passwd` and `/etc/group`, then `getent` (NSS: LDAP, sssd, systemd-userdb). */
export interface UserDatabase {
  user(key: string): UserEntry | null;
  group(key: string): GroupEntry | null;
}

const NUMERIC = /^\d+$/;
/** Largest id (the kernel's -1 means "unchanged"). */
const MAX_ID = 4_294_967_294;
const GETENT_TIMEOUT_MS = 2000;

/** A user or group name or id as the language accepts it (no separators, no blanks, bounded). */
export function runAsNameProblem(value: string): string | null {
  if (value === '') return 'must not be empty';
  if (NUMERIC.test(value)) return Number(value) <= MAX_ID ? null : `${value} is not a valid id (at most ${MAX_ID})`;
  if (value.length > 256 || /[\s:,/]/.test(value) || value.startsWith('-')) return `"${value}" is not a user or group name`;
  return null;
}

/** The system's databases, read fresh on every lookup (files are small; users change rarely but do change). */
export function systemUserDatabase(): UserDatabase {
  return {
    user(key) {
      return findEntry(readLines('/etc/passwd'), key, parseUser) ?? parseGetent(getent('passwd', key), parseUser);
    },
    group(key) {
      return findEntry(readLines('/etc/group'), key, parseGroup) ?? parseGetent(getent('group', key), parseGroup);
    },
  };
}

/**
 * Resolve a unit's `user`, `group` and `groups` (null when it has none):
 * the uid of the user, the gid of `group` or else of the user's primary
 * group, and `groups` or else the user's own supplementary groups. A
 * numeric id that has no entry is taken as it is, but then the primary
 * group must be given. Throws {@link RunAsLookupError} naming the field.
 */
export function resolveCredentials(fields: RunAsFields, db: UserDatabase = systemUserDatabase()): UnitCredentials | null {
  if (fields.user === undefined && fields.group === undefined && fields.groups === undefined) return null;
  let uid: number | null = null;
  let gid: number | null = null;
  let userName: string | null = null;
  const parts: string[] = [];
  if (fields.user !== undefined) {
    const entry = db.user(fields.user);
    if (entry) {
      ({ uid, gid } = entry);
      userName = entry.name;
    } else if (NUMERIC.test(fields.user)) uid = Number(fields.user);
    else throw new RunAsLookupError(`no user "${fields.user}" on this machine`, 'user');
    parts.push(`user ${userName ?? uid} (uid ${uid})`);
  }
  if (fields.group !== undefined) {
    const entry = db.group(fields.group);
    if (entry) gid = entry.gid;
    else if (NUMERIC.test(fields.group)) gid = Number(fields.group);
    else throw new RunAsLookupError(`no group "${fields.group}" on this machine`, 'group');
    parts.push(`group ${entry?.name ?? gid} (gid ${gid})`);
  }
  const self = ownIds();
  if (gid === null) {
    if (uid !== null) throw new RunAsLookupError(`user ${fields.user} has no entry in the user database, so its primary group is unknown; give group as well`, 'user');
    gid = self.gid;
  }
  let groups: readonly number[] | 'init';
  if (fields.groups !== undefined) {
    groups = fields.groups.map((g, i) => {
      const entry = db.group(g);
      if (entry) return entry.gid;
      if (NUMERIC.test(g)) return Number(g);
      throw new RunAsLookupError(`no group "${g}" on this machine`, 'groups', i);
    });
    parts.push(`groups [${fields.groups.join(', ')}]`);
  } else groups = userName !== null ? 'init' : [];
  return { uid: uid ?? self.uid, gid, userName, groups, description: parts.join(', ') };
}

/** This process's uid and gid (0 where the platform has none). */
export function ownIds(): { uid: number; gid: number } {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return [];
  }
}

/** The entry whose name is `key`, else (numeric `key`) whose id is `key`. */
function findEntry<T extends { name: string; uid?: number; gid: number }>(lines: readonly string[], key: string, parse: (line: string) => T | null): T | null {
  let byId: T | null = null;
  const id = NUMERIC.test(key) ? Number(key) : null;
  for (const line of lines) {
    const entry = parse(line);
    if (!entry) continue;
    if (entry.name === key) return entry;
    if (id !== null && byId === null && ('uid' in entry ? entry.uid : entry.gid) === id) byId = entry;
  }
  return byId;
}

function parseUser(line: string): UserEntry | null {
  const f = line.split(':');
  if (f.length < 4 || !f[0] || f[0].startsWith('+') || f[0].startsWith('-')) return null;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  return NUMERIC.test(f[2] ?? '') && NUMERIC.test(f[3] ?? '') ? { name: f[0], uid, gid } : null;
}

function parseGroup(line: string): GroupEntry | null {
  const f = line.split(':');
  if (f.length < 3 || !f[0] || f[0].startsWith('+') || f[0].startsWith('-')) return null;
  return NUMERIC.test(f[2] ?? '') ? { name: f[0], gid: Number(f[2]) } : null;
}

/** `getent DB KEY` (NSS), or '' when it is missing, times out or finds nothing. */
function getent(db: 'passwd' | 'group', key: string): string {
  try {
    const r = spawnSync('getent', [db, '--', key], { encoding: 'utf8', timeout: GETENT_TIMEOUT_MS, maxBuffer: 64 * 1024 });
    return r.status === 0 ? r.stdout : '';
  } catch {
    return '';
  }
}

function parseGetent<T>(text: string, parse: (line: string) => T | null): T | null {
  const line = text.split('\n')[0] ?? '';
  return line === '' ? null : parse(line);
}

/** The gids of the groups that list `userName` as a member (`/etc/group`), for reachability checks. */
export function memberGids(userName: string): number[] {
  const out: number[] = [];
  for (const line of readLines('/etc/group')) {
    const f = line.split(':');
    if (f.length >= 4 && NUMERIC.test(f[2] ?? '') && (f[3] ?? '').split(',').includes(userName)) out.push(Number(f[2]));
  }
  return out;
}

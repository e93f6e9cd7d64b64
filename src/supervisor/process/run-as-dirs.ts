import { chmodSync, chownSync, lchownSync, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsErrorText } from '../../common/fs-error-text.js';
import type { RuntimePaths } from '../../common/runtime-dir.js';
import { SpawnError } from '../supervisor-errors.js';
import { memberGids, type UnitCredentials } from '../../common/user-database.js';
import { pathChain } from '../../common/path-chain.js';

/** Most entries chowned in one unit's state directory when its owner changes (a bound on a start's work). */
const MAX_CHOWN_ENTRIES = 100_000;

/**
 * Make what a unit started as `creds` needs reachable by it: its state
 * directory owned by it (and everything inside, when the owner changed, as
 * systemd does for StateDirectory=), its notify socket owned by it (mode
 * 0600 stays), and the directories of Ensemble above them searchable (mode
 * `+x` for group and others; never readable or writable) so the unit can
 * reach them by name. Throws {@link SpawnError} with one line when a
 * directory above them, not Ensemble's, is closed to the unit's user.
 */
export function giveUnitPaths(unit: string, paths: RuntimePaths, creds: UnitCredentials, notifySocket: string | null): void {
  const stateDir = paths.unitStateDir(unit);
  const unitsDir = dirname(stateDir);
  openForSearch([dirname(paths.stateDir), paths.stateDir, unitsDir]);
  try {
    const top = lstatSync(stateDir);
    if (top.uid !== creds.uid || top.gid !== creds.gid) chownTree(stateDir, creds.uid, creds.gid);
  } catch (e) {
    throw new SpawnError(unit, `cannot give the state directory ${stateDir} to ${creds.description}: ${fsErrorText(e)}`, e);
  }
  const gids = new Set([creds.gid, ...(creds.groups === 'init' ? (creds.userName ? memberGids(creds.userName) : []) : creds.groups)]);
  assertReachable(unit, 'state directory', stateDir, creds, gids);
  if (notifySocket !== null) {
    openForSearch([dirname(paths.runtimeDir), paths.runtimeDir, paths.notifyDir]);
    try {
      chownSync(notifySocket, creds.uid, creds.gid);
    } catch (e) {
      throw new SpawnError(unit, `cannot give the notify socket ${notifySocket} to ${creds.description}: ${fsErrorText(e)}`, e);
    }
    assertReachable(unit, 'notify socket', notifySocket, creds, gids);
  }
}

/** Add search permission for group and others to directories of this supervisor's user that lack it. */
function openForSearch(dirs: readonly string[]): void {
  const uid = process.getuid?.() ?? 0;
  for (const dir of dirs) {
    try {
      const st = statSync(dir);
      if (st.isDirectory() && st.uid === uid && (st.mode & 0o011) !== 0o011) chmodSync(dir, (st.mode & 0o7777) | 0o011);
    } catch {
      // Not there or not ours: the reachability check names it.
    }
  }
}

/** `chown -R` without following symbolic links, bounded. */
function chownTree(dir: string, uid: number, gid: number): void {
  let budget = MAX_CHOWN_ENTRIES;
  const walk = (path: string, st: Stats): void => {
    if (--budget < 0) return;
    lchownSync(path, uid, gid);
    if (!st.isDirectory()) return;
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      walk(child, lstatSync(child));
    }
  };
  walk(dir, lstatSync(dir));
}

/** Throw when a directory on the way to `target` cannot be searched by the unit's user (mode bits; root bypasses them). */
function assertReachable(unit: string, what: string, target: string, creds: UnitCredentials, gids: ReadonlySet<number>): void {
  if (creds.uid === 0) return;
  const chain = pathChain(dirname(target));
  for (const dir of chain) {
    let st: Stats;
    try {
      st = statSync(dir);
    } catch {
      return;
    }
    const bit = st.uid === creds.uid ? 0o100 : gids.has(st.gid) ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) {
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      throw new SpawnError(unit, `${creds.description} cannot reach its ${what} ${target}: ${dir} (owner uid ${st.uid}, gid ${st.gid}, mode ${mode}) is not searchable by it; run "chmod o+x ${dir}" or use directories it can reach (ENSEMBLE_STATE_HOME, ENSEMBLE_RUNTIME_HOME)`);
    }
  }
}

import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allPids, isLiveProcess, procEnviron, procStat } from './process/proc-info.js';
import { groupMembers, signalGroup } from './process/process-group.js';
import type { RuntimePaths } from '../common/runtime-dir.js';
import { fsErrorText } from '../common/fs-error-text.js';
import { makeDirs } from '../common/make-dirs.js';
import { assertTrustedRuntimeDir } from './runtime-dir-trust.js';
import { RuntimeDirError } from './supervisor-errors.js';

/** What a supervisor found and removed from a killed predecessor. */
export interface CleanupReport {
  /** Pid of the predecessor named in a stale pid file, if any. */
  readonly stalePid: number | null;
  /** Processes of the predecessor's units that were still alive and got SIGKILL. */
  readonly killedPids: readonly number[];
  readonly removedSocket: boolean;
  /** True when a stale FUSE mount was lazily unmounted. */
  readonly unmounted: boolean;
}

/**
 * Ownership of a runtime directory by one running supervisor.
 *
 * {@link RuntimeOwner.take} refuses a runtime directory another user could
 * tamper with (see {@link assertTrustedRuntimeDir}), creates the runtime and
 * state directories (a read-only or full file system is one line naming the
 * directory and the cause), refuses when a live
 * supervisor holds the pid file (ENS_E_RUNTIME_DIR), cleans what a killed
 * predecessor left (its unit processes, the API socket, notify sockets, a
 * stale FUSE mount) and writes the pid file. While running, the owner keeps
 * `<runtimeDir>/groups` up to date with the unit process groups, so a
 * successor can kill them if this supervisor and its reaper were both killed.
 */
export class RuntimeOwner {
  private released = false;

  private constructor(
    readonly paths: RuntimePaths,
    readonly cleanup: CleanupReport,
  ) {}

  /** Take the runtime directory of `paths`. */
  static take(paths: RuntimePaths): RuntimeOwner {
    // Checked before creating (never write into another user's directory) and after (a
    // directory another user made between the two is refused too).
    assertTrustedRuntimeDir(paths);
    createDir('runtime directory', paths.runtimeDir);
    assertTrustedRuntimeDir(paths);
    createDir('state directory', paths.stateDir);
    const previous = readPidFile(paths.pidFile);
    if (previous && previous.pid !== process.pid && ownerAlive(previous)) {
      throw new RuntimeDirError(`a supervisor (pid ${previous.pid}) is already running this ensemble (runtime directory ${paths.runtimeDir})`);
    }
    const cleanup = cleanPredecessor(paths, previous?.pid ?? null);
    try {
      rmSync(paths.pidFile, { force: true });
      writeFileSync(paths.pidFile, `${process.pid} ${procStat(process.pid)?.startTime ?? ''}\n`, { flag: 'wx', mode: 0o644 });
    } catch (e) {
      throw new RuntimeDirError(`cannot write ${paths.pidFile}: ${fsErrorText(e)}${(e as NodeJS.ErrnoException).code === 'EEXIST' ? ' (is another supervisor starting?)' : ''}`, e);
    }
    return new RuntimeOwner(paths, cleanup);
  }

  /** Record the live unit process groups (written atomically). */
  recordGroups(pgids: Iterable<number>): void {
    if (this.released) return;
    const file = groupsFile(this.paths);
    try {
      writeFileSync(`${file}.tmp`, [...pgids].map((p) => `${p}\n`).join(''));
      renameSync(`${file}.tmp`, file);
    } catch {
      // Best effort: the reaper is the primary protection.
    }
  }

  /** Give the directory up after a clean shutdown: pid file, groups file and notify sockets go. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const current = readPidFile(this.paths.pidFile);
    if (current?.pid === process.pid) rmSync(this.paths.pidFile, { force: true });
    rmSync(groupsFile(this.paths), { force: true });
    rmSync(this.paths.notifyDir, { recursive: true, force: true });
  }
}

/** Create `dir` (mode 0700) and check that the supervisor can write into it. */
function createDir(what: string, dir: string): void {
  try {
    makeDirs(dir, 0o700);
  } catch (e) {
    throw new RuntimeDirError(`cannot create ${what} ${dir}: ${fsErrorText(e)}`, e);
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new RuntimeDirError(`cannot write into ${what} ${dir}: ${fsErrorText(e)}`, e);
  }
}

function groupsFile(paths: RuntimePaths): string {
  return join(paths.runtimeDir, 'groups');
}

interface PidRecord {
  readonly pid: number;
  readonly startTime: string | null;
}

function readPidFile(file: string): PidRecord | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const [pid, startTime] = text.trim().split(/\s+/);
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 ? { pid: n, startTime: startTime || null } : null;
}

/** Alive and the same process (start time matches, so a reused pid does not count). */
function ownerAlive(record: PidRecord): boolean {
  const stat = procStat(record.pid);
  if (!stat || stat.state === 'Z') return false;
  return record.startTime === null || stat.startTime === record.startTime;
}

/** Remove and kill what a dead supervisor of this runtime directory left behind. */
function cleanPredecessor(paths: RuntimePaths, stalePid: number | null): CleanupReport {
  const marker = `ENSEMBLE_SUPERVISOR=${paths.apiAddress}`;
  const killed = new Set<number>();
  // Groups it recorded, if one of their processes carries its marker (pids may have been reused).
  let recorded: number[] = [];
  try {
    recorded = readFileSync(groupsFile(paths), 'utf8').split('\n').filter(Boolean).map(Number).filter((n) => n > 1);
  } catch {
    // No groups file.
  }
  for (const pgid of recorded) {
    const members = groupMembers(pgid).filter((pid) => procEnviron(pid).includes(marker));
    if (members.length > 0 && pgid !== process.pid) {
      signalGroup(pgid, 'SIGKILL');
      members.forEach((pid) => killed.add(pid));
    }
  }
  // Any other process started with this ensemble's unit contract (a unit child that left its
  // group): it carries both the supervisor address and a unit token. Never our own ancestors.
  const ancestors = ancestorPids();
  for (const pid of allPids()) {
    if (ancestors.has(pid) || killed.has(pid)) continue;
    const environ = procEnviron(pid);
    if (environ.includes(marker) && environ.some((v) => v.startsWith('ENSEMBLE_TOKEN=')) && isLiveProcess(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // Already gone or not ours.
      }
    }
  }
  const removedSocket = removeIfExists(paths.apiSocket);
  rmSync(paths.notifyDir, { recursive: true, force: true });
  rmSync(groupsFile(paths), { force: true });
  mkdirSync(paths.notifyDir, { recursive: true, mode: 0o700 });
  const unmounted = unmountStale(paths.mountDir);
  return { stalePid, killedPids: [...killed], removedSocket, unmounted };
}

function ancestorPids(): Set<number> {
  const seen = new Set<number>();
  for (let pid = process.pid; pid > 1 && !seen.has(pid); ) {
    seen.add(pid);
    pid = procStat(pid)?.ppid ?? 0;
  }
  return seen;
}

function removeIfExists(path: string): boolean {
  try {
    rmSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Lazily unmount `dir` when /proc/self/mountinfo lists it (a FUSE mount of a killed supervisor). */
export function unmountStale(dir: string): boolean {
  if (!isMountPoint(dir)) return false;
  for (const tool of ['fusermount3', 'fusermount']) {
    const result = spawnSync(tool, ['-u', '-z', dir], { stdio: 'ignore', timeout: 5000 });
    if (result.status === 0) return true;
  }
  return false;
}

function isMountPoint(dir: string): boolean {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return false;
  }
  for (const line of text.split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (mountPoint && unescapeMountPath(mountPoint) === dir) return true;
  }
  return false;
}

function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

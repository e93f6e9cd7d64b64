import { lstatSync, readFileSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { errnoCode, fsErrorText } from '../common/fs-error-text.js';
import type { RuntimePaths } from '../common/runtime-dir.js';
import { RuntimeDirError } from './supervisor-errors.js';
import { pathChain } from '../common/path-chain.js';

/** Why a directory on the way to the API socket cannot be trusted, or null. */
interface Distrust {
  readonly dir: string;
  readonly stat: Stats;
  readonly problem: string;
}

/**
 * Refuse a runtime directory another user could tamper with, as ssh's
 * StrictModes and tmux do with their socket directories. The runtime
 * directory and its base (`$ENSEMBLE_RUNTIME_HOME`, `$XDG_RUNTIME_DIR/ensemble`,
 * `/run/ensemble`, `<tmpdir>/ensemble-<uid>`: the levels Ensemble creates)
 * must belong to the effective user and must not be writable by group or
 * others; every ancestor above them must belong to the user or root and be
 * writable only by its owner, unless it is a root-owned sticky directory
 * (`/tmp`). Symbolic links are followed (the checks apply to what they point
 * to). Directories that do not exist yet are not checked (the caller creates
 * them with mode 0700).
 *
 * Throws {@link RuntimeDirError} with one line naming the directory, its
 * owner and mode and what to do.
 */
export function assertTrustedRuntimeDir(paths: Pick<RuntimePaths, 'runtimeDir'>, uid: number = effectiveUid()): void {
  const found = distrust(paths.runtimeDir, uid);
  if (found) throw new RuntimeDirError(distrustMessage(found, uid));
}

/** The API socket itself must belong to the user (a socket of another user is refused, not dialled). */
export function assertTrustedSocket(socket: string, uid: number = effectiveUid()): void {
  let stat: Stats;
  try {
    stat = lstatSync(socket);
  } catch {
    return;
  }
  if (stat.uid !== uid) {
    throw new RuntimeDirError(
      `refusing the API socket ${socket}: it belongs to ${describeUid(stat.uid)}, not to ${describeUid(uid)}; another user may be impersonating the supervisor — remove it and restart the supervisor`,
    );
  }
}

function distrust(runtimeDir: string, uid: number): Distrust | null {
  const strict = new Set([runtimeDir, dirname(runtimeDir)]);
  const chain = pathChain(runtimeDir);
  // Outermost first: the first untrusted level is the one to name (and below it nothing can be trusted).
  for (const dir of chain) {
    let stat: Stats;
    try {
      stat = statSync(dir);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return null;
      throw new RuntimeDirError(`cannot check the runtime directory ${dir}: ${fsErrorText(e)}`, e);
    }
    const problem = strict.has(dir) ? strictProblem(stat, uid) : ancestorProblem(stat, uid);
    if (problem) return { dir, stat, problem };
  }
  return null;
}

/** A level Ensemble creates: the user's own, closed to others' writes. */
function strictProblem(stat: Stats, uid: number): string | null {
  if (!stat.isDirectory()) return 'it must be a directory';
  if (stat.uid !== uid) return `it must belong to ${describeUid(uid)}`;
  if ((stat.mode & 0o022) !== 0) return 'it must not be writable by group or others';
  return null;
}

/** An ancestor: the user's or root's, writable only by its owner (or a root-owned sticky directory like /tmp). */
function ancestorProblem(stat: Stats, uid: number): string | null {
  if (stat.uid !== uid && stat.uid !== 0) return `it must belong to ${describeUid(uid)} or root`;
  if ((stat.mode & 0o022) !== 0 && !(stat.uid === 0 && (stat.mode & 0o1000) !== 0)) return 'it must not be writable by group or others (unless root-owned and sticky, like /tmp)';
  return null;
}

function distrustMessage(found: Distrust, uid: number): string {
  const mode = (found.stat.mode & 0o7777).toString(8).padStart(4, '0');
  const fix =
    found.stat.uid === uid
      ? `run "chmod go-w ${found.dir}"`
      : `remove it (as its owner or root) or set ENSEMBLE_RUNTIME_HOME to a directory of your own`;
  return `refusing the runtime directory ${found.dir} (owner ${describeUid(found.stat.uid)}, mode ${mode}): ${found.problem}, or another user could replace the API socket — ${fix}`;
}

function effectiveUid(): number {
  return typeof process.geteuid === 'function' ? process.geteuid() : 0;
}

/** `uid 65534 (nobody)`. */
function describeUid(uid: number): string {
  const name = userName(uid);
  return name ? `uid ${uid} (${name})` : `uid ${uid}`;
}

function userName(uid: number): string | null {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && Number(id) === uid) return name;
    }
  } catch {
    // No passwd file: the number alone.
  }
  return null;
}

/**
 * What a client verb does before dialling the API socket it derived from an
 * ensemble file: the same checks as the supervisor, plus the socket's owner.
 * Returns the `unix:` address.
 */
export function trustedApiAddress(paths: Pick<RuntimePaths, 'runtimeDir' | 'apiSocket' | 'apiAddress'>): string {
  assertTrustedRuntimeDir(paths);
  assertTrustedSocket(paths.apiSocket);
  return paths.apiAddress;
}

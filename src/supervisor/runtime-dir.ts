import { createHash } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';

/**
 * Where a running ensemble keeps its files.
 *
 * - `runtimeDir` (volatile, like systemd's RuntimeDirectory): the API socket,
 *   the pid file, notify sockets and the default mount point. Base:
 *   `$ENSEMBLE_RUNTIME_HOME`, else `$XDG_RUNTIME_DIR/ensemble`, else
 *   `/run/ensemble` for root, else `<tmpdir>/ensemble-<uid>`.
 * - `stateDir` (kept across reboots, like StateDirectory): unit state
 *   directories, logs, operator state, the last good plan. Base:
 *   `$ENSEMBLE_STATE_HOME`, else `/var/lib/ensemble` for root, else
 *   `$XDG_STATE_HOME/ensemble` (default `~/.local/state/ensemble`).
 *
 * Both end in the ensemble's id, `<file name without extension>-<8 hex digits of
 * the sha256 of its absolute path>`, so two ensembles on one machine never
 * collide and a client run next to the file finds the same directories.
 */
export interface RuntimePaths {
  readonly id: string;
  readonly runtimeDir: string;
  readonly stateDir: string;
  /** The local API, a Unix socket with mode 0600. */
  readonly apiSocket: string;
  /** `unix:` address of the API, the value of `ENSEMBLE_SUPERVISOR` for local units. */
  readonly apiAddress: string;
  /** Holds the pid of the supervisor that owns this runtime directory. */
  readonly pidFile: string;
  /** Default FUSE mount point. */
  readonly mountDir: string;
  /** Per-unit log files. */
  readonly logDir: string;
  /** Notify sockets (one per unit). */
  readonly notifyDir: string;
  /** The unit's writable state directory (`ENSEMBLE_STATE_DIR`). */
  unitStateDir(unit: string): string;
}

/** Compute the paths for the ensemble file `file` (relative paths resolve against the cwd). */
export function runtimePaths(file: string, env: NodeJS.ProcessEnv = process.env): RuntimePaths {
  const abs = resolve(file);
  const stem = basename(abs, extname(abs)).replace(/[^A-Za-z0-9_.-]/g, '_') || 'ensemble';
  const id = `${stem}-${createHash('sha256').update(abs).digest('hex').slice(0, 8)}`;
  const runtimeDir = join(runtimeHome(env), id);
  const stateDir = join(stateHome(env), id);
  const apiSocket = join(runtimeDir, 'api.sock');
  return {
    id,
    runtimeDir,
    stateDir,
    apiSocket,
    apiAddress: `unix:${apiSocket}`,
    pidFile: join(runtimeDir, 'supervisor.pid'),
    mountDir: join(runtimeDir, 'fs'),
    logDir: join(stateDir, 'logs'),
    notifyDir: join(runtimeDir, 'notify'),
    unitStateDir: (unit: string) => join(stateDir, 'units', unit),
  };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function runtimeHome(env: NodeJS.ProcessEnv): string {
  if (env.ENSEMBLE_RUNTIME_HOME) return resolve(env.ENSEMBLE_RUNTIME_HOME);
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'ensemble');
  if (isRoot()) return '/run/ensemble';
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(tmpdir(), `ensemble-${uid}`);
}

function stateHome(env: NodeJS.ProcessEnv): string {
  if (env.ENSEMBLE_STATE_HOME) return resolve(env.ENSEMBLE_STATE_HOME);
  if (isRoot()) return '/var/lib/ensemble';
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'ensemble');
}

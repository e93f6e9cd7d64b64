import { createHash } from 'node:crypto';
import { homedir, hostname, tmpdir } from 'node:os';
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
 * collide and a client run next to the file finds the same directories. A
 * supervisor of another node than the default one (the hostname) has the
 * node in its id, `<stem>@<node>-<8 hex digits of the sha256 of the path and
 * the node>`, so two supervisors of one file as different `--node`s run side
 * by side (docs/cli.md "Which supervisor").
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

/** Longest node name kept readable in an id (the hash tells longer ones apart; notify socket paths stay short). */
const MAX_NODE_IN_ID = 32;

/**
 * Compute the paths for the ensemble file `file` (relative paths resolve
 * against the cwd) run as node `node`: by default `ENSEMBLE_NODE` of `env`,
 * else the default node (the hostname), whose paths carry no node name.
 */
export function runtimePaths(file: string, env: NodeJS.ProcessEnv = process.env, node: string | undefined = env.ENSEMBLE_NODE || undefined): RuntimePaths {
  const abs = resolve(file);
  const stem = basename(abs, extname(abs)).replace(/[^A-Za-z0-9_.-]/g, '_') || 'ensemble';
  const id = ensembleId(abs, stem, node);
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

/** The id of an ensemble file (absolute path `abs`) run as `node`; the default node's id has no node in it. */
function ensembleId(abs: string, stem: string, node: string | undefined): string {
  if (node === undefined || node === hostname()) return `${stem}-${createHash('sha256').update(abs).digest('hex').slice(0, 8)}`;
  const safe = node.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, MAX_NODE_IN_ID);
  return `${stem}@${safe}-${createHash('sha256').update(`${abs}\0${node}`).digest('hex').slice(0, 8)}`;
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

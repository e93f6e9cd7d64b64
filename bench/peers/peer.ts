import type { ProcessTracker } from '../process-tracker.js';

/** One unit the peer must supervise: the unit program with its arguments. */
export interface UnitDef {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
}

/** What to run for one measurement. */
export interface RunSpec {
  readonly units: readonly UnitDef[];
  /** A health probe on every unit (only peers that have probes honour it). */
  readonly probes?: boolean;
}

/** Where a peer instance lives and who tracks its processes. */
export interface PeerEnv {
  /** The repository checkout (for dist/, node_modules/.bin, bench/). */
  readonly repoRoot: string;
  /** A fresh temporary directory for this instance's configs, sockets and logs. */
  readonly dir: string;
  readonly tracker: ProcessTracker;
}

/** A peer supervisor started by a driver. */
export interface RunningPeer {
  /**
   * When (process.hrtime.bigint()) the start command returned, or the
   * supervisor's control interface came up for supervisors that stay in the
   * foreground; undefined when the peer has neither.
   */
  readonly startReturnedNs: () => bigint | undefined;
  /** Pids of the supervisor's own processes at the top of its tree (daemon, scanner). */
  supervisorRoots(): number[];
  /** Why the supervisor is gone, when it exited on its own (e.g. a start error). */
  exitReason(): string | undefined;
  /** Issue the peer's idiomatic "stop every unit" command; resolves when it is sent. */
  stopAll(): Promise<void>;
  /** For supervisors stopped by a signal: the same through their own CLI (Ensemble: `supervisor shutdown`). */
  stopAllViaCli?(): Promise<void>;
  /** Make sure the supervisor and everything it started are gone (graceful, then by pid). */
  cleanup(): Promise<void>;
}

/**
 * A driver for one supervisor. Every driver runs its peer against its own
 * configuration in a temporary directory, never against the machine's.
 */
export interface Peer {
  /** Short name used in `--peers` and in the tables. */
  readonly name: string;
  /** Undefined when the peer can run here, otherwise why not. */
  unavailable(env: Pick<PeerEnv, 'repoRoot'>): string | undefined;
  /** The peer's version, for the report. */
  version(env: Pick<PeerEnv, 'repoRoot'>): string;
  /**
   * Write the configuration for `spec` (not timed) and return the launcher
   * that starts the supervisor (timed from its call; it does not wait for the units).
   */
  prepare(spec: RunSpec, env: PeerEnv): () => RunningPeer;
}

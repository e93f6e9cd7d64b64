import type { RestartSpec } from '../../ensemble/plan.js';

/** What to do after a unit's process ended. */
export type RestartDecision =
  | { readonly action: 'stop' }
  | { readonly action: 'restart'; readonly delayMs: number }
  | { readonly action: 'crashloop'; readonly restarts: number; readonly windowMs: number };

/**
 * A unit that was up (ready) at least this long before it exited is restarted
 * at once, without backoff (runit's rule: only a service that ran less than a
 * second waits before its next start). The threshold is never below the
 * unit's own `backoff`, so two starts are always at least `backoff` apart.
 */
export const IMMEDIATE_RESTART_UPTIME_MS = 1000;

/**
 * The restart policy of one unit: which exits restart, the backoff before
 * each restart and the restart intensity limit.
 *
 * - `always` restarts after any exit, `on-failure` after a non-zero exit, a
 *   signal, a failed start or an unhealthy kill, `never` not at all.
 * - Immediate restart: a unit that was up for at least
 *   max({@link IMMEDIATE_RESTART_UPTIME_MS}, `backoff`) is restarted at once
 *   and its backoff sequence starts again (a crash after a long run is not a
 *   crash loop).
 * - Backoff: otherwise the n-th consecutive quick failure waits a random time in
 *   `[backoff, min(max_backoff, backoff·2^(n-1))]` ("full jitter" with a
 *   floor), so the first restart waits exactly `backoff` and a crowd of units
 *   does not restart in lock-step.
 * - After the unit stayed ready for `reset_after`, {@link resetBackoff} starts
 *   the sequence again at `backoff`.
 * - Intensity (Erlang/OTP, systemd StartLimit): when `max_restarts` restarts
 *   already happened within the sliding `window`, the next one is refused:
 *   `crashloop`.
 */
export class RestartPolicy {
  private consecutive = 0;
  private history: number[] = [];

  constructor(
    private readonly spec: RestartSpec,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Decide after an exit; `failure` is false only for a clean exit (code 0, no
   * signal, no supervisor-detected failure). `upMs`: how long the process had
   * been up (ready) before it exited, 0 when it never became ready.
   */
  decide(failure: boolean, now: number = Date.now(), upMs = 0): RestartDecision {
    const { policy } = this.spec;
    if (policy === 'never' || (policy === 'on-failure' && !failure)) return { action: 'stop' };
    this.history = this.history.filter((t) => now - t < this.spec.windowMs);
    if (this.history.length >= this.spec.maxRestarts) {
      return { action: 'crashloop', restarts: this.history.length, windowMs: this.spec.windowMs };
    }
    this.history.push(now);
    if (upMs >= this.immediateRestartAfterMs()) {
      this.consecutive = 0;
      return { action: 'restart', delayMs: 0 };
    }
    this.consecutive++;
    return { action: 'restart', delayMs: this.backoffFor(this.consecutive) };
  }

  /** The unit stayed ready long enough: the next restart waits `backoff` again. */
  resetBackoff(): void {
    this.consecutive = 0;
  }

  /** An operator started the unit: forget the history (leaves `crashloop`). */
  clear(): void {
    this.consecutive = 0;
    this.history = [];
  }

  /** How long a unit must have been up for its next restart to be immediate. */
  immediateRestartAfterMs(): number {
    return Math.max(IMMEDIATE_RESTART_UPTIME_MS, this.spec.backoffMs);
  }

  /** Delay before the `n`-th consecutive restart (n ≥ 1). */
  backoffFor(n: number): number {
    const { backoffMs, maxBackoffMs } = this.spec;
    const floor = Math.min(backoffMs, maxBackoffMs);
    const ceiling = Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(n - 1, 52));
    return Math.round(floor + this.random() * Math.max(0, ceiling - floor));
  }
}

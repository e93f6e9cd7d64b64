import { performance } from 'node:perf_hooks';

/**
 * A timer that fires this much later than it was due means the supervisor
 * itself did not run (SIGSTOP, a long GC pause, a starved machine): what it
 * was waiting for may have arrived meanwhile and not be read yet.
 */
export const STALL_THRESHOLD_MS = 1000;
/** Longest grace a deadline grants after such a pause (its own length when shorter). */
export const MAX_STALL_GRACE_MS = 5000;

/** Options of a {@link DeadlineTimer}. */
export interface DeadlineTimerOptions {
  /** Do not keep the process alive for this timer (like `timeout.unref()`). */
  readonly unref?: boolean;
}

/**
 * A deadline that is fair to what it judges when the supervisor was paused.
 *
 * A plain `setTimeout` that expires while the process is stopped runs first
 * thing after SIGCONT: libuv runs expired timers before it polls the sockets
 * and pipes again, so a verdict taken there misses every keep-alive, probe
 * answer or exit that arrived during the pause. A `DeadlineTimer` instead
 *
 * - always lets one round of pending I/O in (`setImmediate`, which runs after
 *   the next poll) before it calls `onExpire`: what arrived in that round may
 *   {@link refresh} or {@link clear} it, and then nothing fires;
 * - when it fired {@link STALL_THRESHOLD_MS} or more after it was due
 *   (measured on the monotonic clock, `performance.now()`, so a wall-clock
 *   step changes nothing), does not judge at all but re-arms for a grace of
 *   min(its length, {@link MAX_STALL_GRACE_MS}) from now: a unit paused with
 *   the supervisor (a frozen VM, a cgroup freeze) gets time to speak again.
 *   A unit that is really hung is judged at the end of the grace.
 *
 * Every deadline of the supervisor (ready timeout, watchdog, stop timeout,
 * probe timeouts) is one of these (docs/lifecycle.md "Time and pauses").
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private dueAt = 0;
  private lengthMs = 0;

  constructor(
    private readonly onExpire: () => void,
    private readonly options: DeadlineTimerOptions = {},
  ) {}

  /** Create and arm a deadline `ms` from now. */
  static after(ms: number, onExpire: () => void, options: DeadlineTimerOptions = {}): DeadlineTimer {
    const deadline = new DeadlineTimer(onExpire, options);
    deadline.arm(ms);
    return deadline;
  }

  /** True while armed (also while its verdict waits for pending I/O). */
  get armed(): boolean {
    return this.timer !== null || this.immediate !== null;
  }

  /** (Re)arm to expire `ms` from now. */
  arm(ms: number): void {
    this.clear();
    this.lengthMs = Math.max(1, ms);
    this.schedule(this.lengthMs);
  }

  /** Start the current period again from now (a keep-alive); no-op when not armed. */
  refresh(): void {
    if (this.timer && !this.immediate) {
      // The common case (a keep-alive well before the deadline): reuse the timer.
      this.dueAt = performance.now() + this.lengthMs;
      this.timer.refresh();
      return;
    }
    if (this.armed) this.arm(this.lengthMs);
  }

  /** Disarm; `onExpire` will not run. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private schedule(ms: number): void {
    this.dueAt = performance.now() + ms;
    this.timer = setTimeout(() => this.fired(), ms);
    if (this.options.unref) this.timer.unref();
  }

  private fired(): void {
    this.timer = null;
    const lateMs = performance.now() - this.dueAt;
    this.immediate = setImmediate(() => {
      this.immediate = null;
      if (lateMs >= STALL_THRESHOLD_MS) {
        this.schedule(Math.min(this.lengthMs, MAX_STALL_GRACE_MS));
        return;
      }
      this.onExpire();
    });
    if (this.options.unref) this.immediate.unref();
  }
}

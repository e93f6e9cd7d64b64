import { performance } from 'node:perf_hooks';
import type { HealthSpec } from '../ensemble/plan.js';
import { DeadlineTimer } from '../common/deadline-timer.js';
import type { Probe, ProbeResult } from '../supervisor/health-services.js';

/** Callbacks of a {@link HealthMonitor}. Exceptions they throw are reported as warnings and ignored. */
export interface HealthMonitorHandlers {
  /** After every probe run, with the number of consecutive failures that count (0 after a pass). */
  onResult?(result: ProbeResult, consecutiveFailures: number): void;
  /** On each transition to passing, including the first pass after start. */
  onHealthy?(): void;
  /** Once each time the consecutive counted failures reach `spec.failures`. */
  onUnhealthy?(): void;
}

/** Delay of the first probe after `start()` (capped by `interval`). */
export const FIRST_PROBE_DELAY_MS = 100;
/** Interval while starting (capped by `interval`): until the first pass or the end of `start_period`. */
export const STARTING_INTERVAL_MS = 1000;
/** Extra time granted to a probe past its own timeout before the monitor gives up on it. */
const PROBE_GRACE_MS = 1000;

/**
 * Runs a unit's health probe on a schedule, like docker's HEALTHCHECK, plus a
 * faster cadence while the unit starts:
 *
 * - the first probe runs {@link FIRST_PROBE_DELAY_MS} after `start()`, then every
 *   min({@link STARTING_INTERVAL_MS}, interval) until the first pass or until
 *   `start_period` ends, then every `interval` (measured start to start; a
 *   slow probe delays the next one, probes never overlap);
 * - failures of probes started during `start_period`, before the first pass,
 *   do not count; after the first pass every failure counts (docker semantics);
 * - `onHealthy` fires on each transition to passing (first pass included);
 * - `onUnhealthy` fires once when the counted consecutive failures reach
 *   `failures`; the count then starts again from zero, so it can fire again
 *   (e.g. after the supervisor restarted the unit and kept the monitor).
 *
 * `stop()` cancels the timer and discards a probe in flight: no callback runs
 * after it. `start()` after `stop()` begins afresh (new start period).
 *
 * Time is measured on the monotonic clock, and the guard on a probe run is a
 * stall-aware {@link DeadlineTimer}: after a pause of the supervisor, an answer
 * that arrived meanwhile is taken in before the run counts as timed out.
 */
export class HealthMonitor {
  private timer: NodeJS.Timeout | null = null;
  private generation = 0;
  private running = false;
  private startedAt = 0;
  private passedOnce = false;
  private passing = false;
  private failures = 0;
  private last: ProbeResult | null = null;

  constructor(
    readonly spec: HealthSpec,
    private readonly probe: Probe,
    private readonly handlers: HealthMonitorHandlers = {},
  ) {}

  /** The most recent probe result, null before the first one completes. */
  get lastResult(): ProbeResult | null {
    return this.last;
  }

  /** Consecutive failures that count toward `failures`. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** True while started. */
  get active(): boolean {
    return this.running;
  }

  /** Begin probing (no-op when already started). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation++;
    this.startedAt = performance.now();
    this.passedOnce = false;
    this.passing = false;
    this.failures = 0;
    this.last = null;
    this.schedule(Math.min(FIRST_PROBE_DELAY_MS, this.spec.intervalMs));
  }

  /** Stop probing; a probe in flight is discarded. */
  stop(): void {
    this.running = false;
    this.generation++;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private inStartPhase(at: number): boolean {
    return !this.passedOnce && at - this.startedAt < this.spec.startPeriodMs;
  }

  private schedule(delayMs: number): void {
    const generation = this.generation;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (generation === this.generation) void this.run(generation);
    }, Math.max(0, delayMs));
    this.timer.unref();
  }

  private async run(generation: number): Promise<void> {
    const began = performance.now();
    const starting = this.inStartPhase(began);
    const result = await this.checkOnce();
    if (generation !== this.generation) return;
    this.last = result;
    if (result.ok) {
      this.failures = 0;
      this.passedOnce = true;
      const wasPassing = this.passing;
      this.passing = true;
      this.call(() => this.handlers.onResult?.(result, 0));
      if (!wasPassing && generation === this.generation) this.call(() => this.handlers.onHealthy?.());
    } else {
      this.passing = false;
      if (!starting) this.failures++;
      const count = this.failures;
      const reached = !starting && count >= Math.max(1, this.spec.failures);
      if (reached) this.failures = 0;
      this.call(() => this.handlers.onResult?.(result, count));
      if (reached && generation === this.generation) this.call(() => this.handlers.onUnhealthy?.());
    }
    if (generation !== this.generation) return;
    const now = performance.now();
    const interval = this.inStartPhase(now) ? Math.min(STARTING_INTERVAL_MS, this.spec.intervalMs) : this.spec.intervalMs;
    this.schedule(interval - (now - began));
  }

  /** One probe run that settles by timeout + grace even if the probe misbehaves, and never rejects. */
  private checkOnce(): Promise<ProbeResult> {
    const timeoutMs = this.spec.timeoutMs;
    return new Promise<ProbeResult>((resolve) => {
      const guard = DeadlineTimer.after(timeoutMs + PROBE_GRACE_MS, () => resolve({ ok: false, detail: `probe did not return within ${timeoutMs + PROBE_GRACE_MS}ms` }), { unref: true });
      let running: Promise<ProbeResult>;
      try {
        running = this.probe.check(timeoutMs);
      } catch (error) {
        running = Promise.reject(error);
      }
      running.then(
        (result) => {
          guard.clear();
          resolve(result);
        },
        (error: unknown) => {
          guard.clear();
          resolve({ ok: false, detail: error instanceof Error ? error.message : String(error) });
        },
      );
    });
  }

  private call(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      process.emitWarning(`health monitor handler failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

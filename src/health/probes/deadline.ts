import { formatMs } from '../../common/duration.js';
import { DeadlineTimer } from '../../common/deadline-timer.js';
import type { ProbeResult } from '../../supervisor/health-services.js';

/** A failed result with `detail`. */
export function fail(detail: string): ProbeResult {
  return { ok: false, detail };
}

/** A passing result with `detail`. */
export function pass(detail: string): ProbeResult {
  return { ok: true, detail };
}

/** The message of any thrown value, on one line. */
export function errorText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const text = typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Run `work` with a deadline. `work` receives an AbortSignal that fires at the
 * deadline and must release what it holds (sockets, processes) when it does;
 * the returned promise settles at the deadline at the latest and never
 * rejects (a rejection becomes a failed result). The deadline is stall-aware
 * ({@link DeadlineTimer}): an answer that arrived while the supervisor was
 * paused is taken in before the probe counts as timed out.
 */
export function withDeadline(timeoutMs: number, work: (signal: AbortSignal) => Promise<ProbeResult>): Promise<ProbeResult> {
  const controller = new AbortController();
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      timer.clear();
      resolve(result);
    };
    const timer = DeadlineTimer.after(Math.max(1, timeoutMs), () => {
      controller.abort();
      finish(fail(`timed out after ${formatMs(timeoutMs)}`));
    });
    let running: Promise<ProbeResult>;
    try {
      running = work(controller.signal);
    } catch (error) {
      finish(fail(errorText(error)));
      return;
    }
    running.then(finish, (error: unknown) => finish(fail(errorText(error))));
  });
}

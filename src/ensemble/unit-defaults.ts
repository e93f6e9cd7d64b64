import type { LogSpec, RestartSpec, StopSpec } from './plan.js';

/** Defaults of every runner field (documented in docs/language.md). */
export const DEFAULTS = {
  readyTimeoutMs: 30_000,
  restart: { policy: 'on-failure', backoffMs: 250, maxBackoffMs: 30_000, maxRestarts: 10, windowMs: 600_000, resetAfterMs: 60_000 } satisfies RestartSpec,
  health: { intervalMs: 10_000, timeoutMs: 2_000, failures: 3, startPeriodMs: 30_000 },
  stop: { signal: 'SIGTERM', timeoutMs: 10_000 } satisfies StopSpec,
  logs: { maxBytes: 5 * 1024 * 1024, keep: 3 } satisfies LogSpec,
} as const;

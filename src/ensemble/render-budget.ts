import { InvalidArgumentError } from '../common/errors.js';
import { parseDuration } from '../common/duration.js';
import { formatBytes, parseSize } from '../common/size.js';

/**
 * How much time and memory turning one ensemble file into a Plan may take
 * (Liquid rendering, parsing, imports, compose, validation: the whole
 * `render`). `check`, `render`, `run` and a running supervisor's `reload`,
 * `diff` and `AddUnit` all compile inside this budget (docs/language.md,
 * "Render budget").
 */
export interface RenderBudget {
  /** Wall-clock time for one compile, in milliseconds. */
  readonly timeoutMs: number;
  /** JavaScript heap of the compiling process, in bytes (the compiler's own code included). */
  readonly memoryBytes: number;
  /**
   * How a user raises the budget where it was set, named in the error
   * (`{ timeout: '--render-timeout', memory: '--render-memory' }` for the
   * CLI, the environment variables for a running supervisor).
   */
  readonly raise?: { readonly timeout: string; readonly memory: string };
}

/**
 * 10 s and 256 MiB. Measured on 2 loaded cores (load 10–12): a 10,000-runner
 * file (bench/check-large.ts's shape) compiles in 2.2–4.5 s within 256 MiB;
 * a 20,000-runner one needs more memory (`--render-memory 1GiB`: 3.6 s). The
 * time leaves room for slower edge hardware; the memory bounds what a
 * pathological file can take from the machine.
 */
export const DEFAULT_RENDER_BUDGET: RenderBudget = { timeoutMs: 10_000, memoryBytes: 256 * 1024 * 1024 };

/** The lowest budget accepted: below it the compiler itself does not start. */
export const MIN_RENDER_TIMEOUT_MS = 10;
/** The lowest memory budget accepted (the compiler's own code needs about 20 MiB of heap). */
export const MIN_RENDER_MEMORY_BYTES = 64 * 1024 * 1024;
/** The highest memory budget accepted (V8's own heap ceiling on 64-bit machines is about 4 GiB by default). */
export const MAX_RENDER_MEMORY_BYTES = 16 * 1024 * 1024 * 1024;
/** The longest time budget accepted: one hour. */
export const MAX_RENDER_TIMEOUT_MS = 3_600_000;

/** Flag names of `check` and `render`. */
export const CLI_RAISE = { timeout: '--render-timeout', memory: '--render-memory' } as const;
/** Environment variables read by `supervisor run` for its compiles (initial plan, reload, diff, AddUnit). */
export const RENDER_BUDGET_ENV = { timeout: 'ENSEMBLE_RENDER_TIMEOUT', memory: 'ENSEMBLE_RENDER_MEMORY' } as const;
/** How the budget of a running supervisor is raised, as named in its errors. */
export const ENV_RAISE = {
  timeout: `${RENDER_BUDGET_ENV.timeout} in the supervisor's environment`,
  memory: `${RENDER_BUDGET_ENV.memory} in the supervisor's environment`,
} as const;

/**
 * Build a budget from user text (`2s`, `500ms`; `256MB`, `1GiB`); a missing
 * value keeps the default. Throws {@link InvalidArgumentError} with one line
 * naming the flag or variable for a value that is not a duration/size or is
 * outside the accepted range.
 */
export function parseRenderBudget(values: { timeout?: string | undefined; memory?: string | undefined }, raise: { timeout: string; memory: string } = CLI_RAISE): RenderBudget {
  let { timeoutMs, memoryBytes } = DEFAULT_RENDER_BUDGET;
  if (values.timeout !== undefined && values.timeout !== '') {
    const ms = parseDuration(values.timeout);
    if (ms === null || ms < MIN_RENDER_TIMEOUT_MS || ms > MAX_RENDER_TIMEOUT_MS) {
      throw new InvalidArgumentError(`${raise.timeout} expects a duration from ${MIN_RENDER_TIMEOUT_MS}ms to 1h such as "5s", got "${values.timeout}"`);
    }
    timeoutMs = ms;
  }
  if (values.memory !== undefined && values.memory !== '') {
    const bytes = parseSize(values.memory);
    if (bytes === null || bytes < MIN_RENDER_MEMORY_BYTES || bytes > MAX_RENDER_MEMORY_BYTES) {
      throw new InvalidArgumentError(`${raise.memory} expects a size from 64MiB to 16GiB such as "512MiB", got "${values.memory}"`);
    }
    memoryBytes = bytes;
  }
  return { timeoutMs, memoryBytes, raise };
}

/** The budget of `supervisor run` from `ENSEMBLE_RENDER_TIMEOUT` and `ENSEMBLE_RENDER_MEMORY` (defaults when unset). */
export function renderBudgetFromEnv(env: NodeJS.ProcessEnv): RenderBudget {
  const budget = parseRenderBudget({ timeout: env[RENDER_BUDGET_ENV.timeout], memory: env[RENDER_BUDGET_ENV.memory] }, RENDER_BUDGET_ENV);
  return { ...budget, raise: ENV_RAISE };
}

/** `2 s`, `1.5 s`, `250 ms`. */
export function formatBudgetTime(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 100) / 10;
  return `${Number.isInteger(s) ? s.toFixed(0) : s.toFixed(1)} s`;
}

/** Which part of the budget ran out. */
export type BudgetLimit = 'time' | 'memory';

/**
 * The one line that says which limit was exceeded, e.g.
 * `render limit of 2 s exceeded (raise it with --render-timeout)`.
 */
export function budgetExceeded(limit: BudgetLimit, budget: RenderBudget): string {
  const raise = budget.raise ?? CLI_RAISE;
  return limit === 'time'
    ? `render limit of ${formatBudgetTime(budget.timeoutMs)} exceeded (raise it with ${raise.timeout})`
    : `memory limit of ${formatBytes(budget.memoryBytes)} exceeded (raise it with ${raise.memory})`;
}

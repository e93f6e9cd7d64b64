import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { DEFAULT_RENDER_BUDGET, type RenderBudget } from './render-budget.js';

/**
 * Deepest nesting of `{% include %}`, `{% render %}` and `{% layout %}`
 * (a file that includes itself, or compose templates that include each
 * other, stop here with a diagnostic at the tag).
 */
export const MAX_INCLUDE_DEPTH = 64;

/**
 * Liquid's `memoryLimit` counts items allocated by one render (range
 * elements, characters made by filters): one item per 32 bytes of the
 * memory budget (8 Mi items for 256 MiB). A range of eight million numbers
 * takes 64 MiB of heap, so the budget is not reached by Liquid's own arrays.
 */
const BYTES_PER_LIQUID_ITEM = 32;
/** Liquid's `parseLimit` (characters parsed by one render, includes counted): one per 16 bytes of the budget. */
const BYTES_PER_PARSED_CHAR = 16;

interface ActiveBudget {
  readonly budget: RenderBudget;
  /** `performance.now()` when the budget's time is up. */
  readonly deadline: number;
}

const active = new AsyncLocalStorage<ActiveBudget>();

/**
 * Run one compile under `budget`: every Liquid render inside it (root file,
 * imports, compose templates) gets liquidjs's limits from it, and the time
 * left until the budget's end as its `renderLimit`.
 */
export function withRenderBudget<T>(budget: RenderBudget, fn: () => Promise<T>): Promise<T> {
  return active.run({ budget, deadline: performance.now() + budget.timeoutMs }, fn);
}

/** liquidjs's DoS options for a render starting now, and the budget they come from. */
export interface LiquidLimits {
  readonly budget: RenderBudget;
  /** Milliseconds left for this render. */
  readonly renderLimit: number;
  readonly memoryLimit: number;
  readonly parseLimit: number;
}

/** The limits for a render starting now (the default budget outside {@link withRenderBudget}). */
export function currentLiquidLimits(): LiquidLimits {
  const current = active.getStore();
  const budget = current?.budget ?? DEFAULT_RENDER_BUDGET;
  const left = current ? current.deadline - performance.now() : budget.timeoutMs;
  return {
    budget,
    renderLimit: Math.max(1, Math.floor(left)),
    memoryLimit: Math.floor(budget.memoryBytes / BYTES_PER_LIQUID_ITEM),
    parseLimit: Math.floor(budget.memoryBytes / BYTES_PER_PARSED_CHAR),
  };
}

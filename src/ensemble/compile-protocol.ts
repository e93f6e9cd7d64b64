import type { Diagnostic } from './diagnostic.js';
import type { Plan, UnitSpec } from './plan.js';
import type { RenderBudget } from './render-budget.js';

/**
 * The messages between a bounded compile (bounded-compile.ts) and its
 * compiling process (compile-child.ts), sent over the IPC channel with
 * structured-clone serialisation: plain data only, no classes.
 */

/** Compile a whole file (`loadPlan`). */
export interface PlanRequest {
  readonly type: 'plan';
  readonly file: string;
  readonly params?: Record<string, string>;
  readonly node?: string;
  readonly env?: Record<string, string | undefined>;
  readonly budget: RenderBudget;
}

/** Compile one runner for a running plan (`compileUnitSnippet`, the AddUnit RPC). */
export interface UnitRequest {
  readonly type: 'unit';
  readonly text: string;
  readonly baseDir: string;
  readonly plan: Plan;
  readonly env?: Record<string, string | undefined>;
  readonly params?: Record<string, string>;
  readonly budget: RenderBudget;
}

/** What the parent asks. */
export type CompileRequest = PlanRequest | UnitRequest;

/** What the child answers: once `ready` (its modules are loaded), then one result. */
export type CompileReply =
  | { readonly type: 'ready' }
  | { readonly type: 'plan'; readonly plan: Plan }
  | { readonly type: 'unit'; readonly unit: UnitSpec }
  /** The file has errors (a PlanError). */
  | { readonly type: 'diagnostics'; readonly diagnostics: Diagnostic[]; readonly omitted: number }
  /** Another deliberate error (an EnsembleError). */
  | { readonly type: 'ensemble-error'; readonly code: string; readonly message: string }
  /** A bug: anything else thrown, or a result that could not be sent. */
  | { readonly type: 'internal-error'; readonly message: string };

import path from 'node:path';
import { assemblePlan } from './assemble-plan.js';
import type { Diagnostic } from './diagnostic.js';
import { loadSources } from './load-sources.js';
import { PlanError } from './plan-error.js';
import type { Plan } from './plan.js';
import { DEFAULT_RENDER_BUDGET, type RenderBudget } from './render-budget.js';
import { Reporter } from './reporter.js';
import { withholdSecretEnv } from './secret-env.js';
import { SourceRegistry } from './source-registry.js';
import { withRenderBudget } from './template-limits.js';
import { templateScope } from './template-scope.js';

/** Options of {@link loadPlan}. */
export interface LoadOptions {
  /** `--set key=value` values, seen as `params.key`. */
  params?: Record<string, string>;
  /** The node to compile for (placement); default `os.hostname()`. */
  node?: string;
  /** The environment seen as `env.NAME`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Liquid's limits come from it (default {@link DEFAULT_RENDER_BUDGET}).
   * In this process only Liquid is bounded; `loadPlanBounded` (bounded-compile.ts)
   * also ends the whole compile when it runs out of time or memory.
   */
  budget?: RenderBudget;
}

/** Diagnostics in file-read order, then line and column. */
export function orderDiagnostics(list: readonly Diagnostic[], files: readonly string[]): Diagnostic[] {
  const rank = new Map(files.map((f, i) => [f, i]));
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (rank.get(a.d.file) ?? 1e9) - (rank.get(b.d.file) ?? 1e9) || a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map((x) => x.d);
}

/**
 * Compile an ensemble file into a Plan: Liquid render, parse, imports,
 * compose, conditions, placement, defaults, validation. Nothing is started.
 * Throws {@link PlanError} carrying every problem found.
 */
export function loadPlan(file: string, options: LoadOptions = {}): Promise<Plan> {
  return withRenderBudget(options.budget ?? DEFAULT_RENDER_BUDGET, () => compilePlan(file, options));
}

async function compilePlan(file: string, options: LoadOptions): Promise<Plan> {
  const root = path.resolve(file);
  const scope = templateScope(options);
  const registry = new SourceRegistry();
  const reporter = new Reporter(registry);
  const ctx = { registry, reporter, variables: { ...scope } as Record<string, unknown> };
  const { statements, incomplete } = await loadSources(root, ctx);
  const assembled = await assemblePlan(statements, ctx, { rootFile: root, scope, incomplete });
  if (reporter.diagnostics.length > 0) throw new PlanError(orderDiagnostics(reporter.diagnostics, registry.files()), reporter.omitted);
  // Which environment variables fed a secret is known only here, after the file was read.
  return withholdSecretEnv(
    {
      file: root,
      node: scope.node,
      units: assembled.units,
      elsewhere: assembled.elsewhere,
      network: assembled.network,
      params: scope.params,
      files: registry.files(),
    },
    scope,
  );
}

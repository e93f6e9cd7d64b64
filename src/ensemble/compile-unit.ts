import path from 'node:path';
import { assemblePlan } from './assemble-plan.js';
import { renderSource } from './liquid-render.js';
import { orderDiagnostics } from './load-plan.js';
import { PlanError } from './plan-error.js';
import type { Plan, UnitSpec } from './plan.js';
import { DEFAULT_RENDER_BUDGET, type RenderBudget } from './render-budget.js';
import { Reporter } from './reporter.js';
import { secretEnvNames, withheld } from './secret-env.js';
import { planSecretValues, unitSecretValues } from './secret-fields.js';
import { SourceRegistry } from './source-registry.js';
import { parseSource } from './syntax/parse-source.js';
import { withRenderBudget } from './template-limits.js';
import { templateScope } from './template-scope.js';

/** The file label diagnostics of a snippet carry. */
export const SNIPPET_FILE = '<snippet>';

/** Options of {@link compileUnitSnippet}. */
export interface SnippetOptions {
  /** Relative paths of the runner resolve against this directory. */
  readonly baseDir: string;
  /** The running plan: names must be new, `depends_on` targets its units. */
  readonly plan: Plan;
  readonly env?: NodeJS.ProcessEnv;
  readonly params?: Record<string, string>;
  /** Liquid's limits come from it (default {@link DEFAULT_RENDER_BUDGET}); see `compileUnitBounded` for a bounded compile. */
  readonly budget?: RenderBudget;
}

/**
 * Compile one `runner …` statement (ensemble syntax, Liquid rendered) into a
 * UnitSpec for an existing plan (the AddUnit RPC). Relative paths resolve
 * against `baseDir`; the name must be new and `depends_on` targets must be
 * units of `plan`. Throws {@link PlanError}.
 */
export function compileUnitSnippet(text: string, options: SnippetOptions): Promise<UnitSpec> {
  return withRenderBudget(options.budget ?? DEFAULT_RENDER_BUDGET, () => compileSnippet(text, options));
}

async function compileSnippet(text: string, options: SnippetOptions): Promise<UnitSpec> {
  const scope = templateScope({ node: options.plan.node, env: options.env, params: options.params ?? { ...options.plan.params } });
  const registry = new SourceRegistry();
  const reporter = new Reporter(registry);
  registry.add(SNIPPET_FILE, text);
  const ctx = { registry, reporter, variables: { ...scope } as Record<string, unknown> };
  const at = { file: SNIPPET_FILE, line: 1, column: 1 };
  const rendered = await renderSource({ file: SNIPPET_FILE, text, registry, variables: ctx.variables, diagnostics: reporter.diagnostics });
  let unit: UnitSpec | undefined;
  if (rendered) {
    const statements = parseSource(rendered, { file: path.join(options.baseDir, SNIPPET_FILE), compose: null }, reporter);
    const runners = statements.filter((s) => s.type === 'runner');
    if (reporter.diagnostics.length === 0 && (runners.length !== 1 || statements.length !== 1)) {
      reporter.report('ENS_E_VALIDATION', statements[1]?.pos ?? at, `expected exactly one runner statement, found ${statements.length === 0 ? 'none' : `${statements.length} statements`}`);
    } else if (reporter.diagnostics.length === 0) {
      const existing = new Map<string, string | null>(options.plan.units.map((u) => [u.name, u.node]));
      const assembled = await assemblePlan(statements, ctx, {
        rootFile: path.join(options.baseDir, SNIPPET_FILE),
        scope,
        incomplete: false,
        existing,
        external: new Set(options.plan.units.map((u) => u.name)),
      });
      unit = assembled.units[0];
      if (!unit && reporter.diagnostics.length === 0) {
        const placed = assembled.elsewhere[0];
        reporter.report('ENS_E_VALIDATION', runners[0]?.pos ?? at, placed ? `the unit is placed on node "${placed.node}", not on "${options.plan.node}"` : 'the unit is not added: its condition is false');
      }
    }
  }
  if (reporter.diagnostics.length > 0 || !unit) throw new PlanError(orderDiagnostics(reporter.diagnostics, registry.files()), reporter.omitted);
  // What the running plan withholds, and what fed the plan's or this unit's secrets.
  const names = new Set([...options.plan.units.flatMap((u) => u.withheldEnv ?? []), ...secretEnvNames([...planSecretValues(options.plan), ...unitSecretValues(unit)], scope)]);
  return withheld(unit, [...names].sort());
}

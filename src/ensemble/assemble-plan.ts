import { clipText } from './clip-text.js';
import { ConditionError } from './condition/condition-error.js';
import { evaluateCondition } from './condition/evaluate-condition.js';
import { compileNetwork } from './compile-network.js';
import { compileRunner, type CompiledUnit } from './compile-runner.js';
import { checkRunAs } from './run-as-check.js';
import { expandCompose } from './compose.js';
import { orderUnits } from './dependencies.js';
import { didYouMean } from './did-you-mean.js';
import type { LoadContext } from './load-sources.js';
import type { NetworkSpec, UnitSpec } from './plan.js';
import type { RealPosition } from './source-map.js';
import type { ModifierNode, RunnerNode, StatementNode } from './syntax/ast.js';
import type { TemplateScope } from './template-scope.js';
import { deriveName, unitNameProblem } from './unit-name.js';

/** What {@link assemblePlan} produces (the Plan minus file/params bookkeeping). */
export interface AssembledPlan {
  readonly units: UnitSpec[];
  readonly elsewhere: { name: string; node: string }[];
  readonly network: NetworkSpec | null;
  /** Every compiled unit that survived its conditions, on any node. */
  readonly compiled: CompiledUnit[];
}

/** Options of {@link assemblePlan}. */
export interface AssembleOptions {
  readonly rootFile: string;
  readonly scope: TemplateScope;
  readonly incomplete: boolean;
  /** Names that already exist (AddUnit): duplicates of these are errors too. */
  readonly existing?: ReadonlyMap<string, string | null>;
  /** Units a new unit may depend on besides its own file's (AddUnit). */
  readonly external?: ReadonlySet<string>;
}

/**
 * From statements to plan content: expand compose, evaluate conditions,
 * compile runners, apply placement, check names and dependencies, order.
 * Every problem is reported to `ctx.reporter`; nothing throws.
 */
export async function assemblePlan(statements: StatementNode[], ctx: LoadContext, opts: AssembleOptions): Promise<AssembledPlan> {
  const r = ctx.reporter;
  let incomplete = opts.incomplete;

  const check = (conditions: readonly ModifierNode[]): boolean => {
    let ok = true;
    for (const c of conditions) {
      try {
        if (!evaluateCondition(c.text, opts.scope)) ok = false;
      } catch (e) {
        if (!(e instanceof ConditionError)) throw e;
        r.report('ENS_E_CONDITION', { ...c.pos, column: c.pos.column + e.offset }, `condition "${clipText(c.text)}": ${e.message}`);
        ok = false;
      }
    }
    return ok;
  };

  // 1. Runners in declaration order (compose expanded in place), networks.
  const runners: RunnerNode[] = [];
  const networks: StatementNode[] = [];
  for (const st of statements) {
    if (st.type === 'runner') runners.push(st);
    else if (st.type === 'compose') {
      if (st.recovered) {
        incomplete = true;
        continue;
      }
      const expanded = await expandCompose(st, opts.rootFile, ctx);
      if (expanded) runners.push(...expanded);
      else incomplete = true;
    } else if (st.type === 'network') networks.push(st);
  }

  // 2. Names (derived for unnamed Tinkwell runners), conditions, compilation.
  const derivedTaken = new Set(runners.map((n) => n.name).filter((n): n is string => n !== null));
  const nextSuffix = new Map<string, number>();
  const surviving: CompiledUnit[] = [];
  const disabled = new Set<string>();
  // Names of statements with syntax errors: not compiled, but not "unknown" either.
  const broken = new Set<string>();
  for (const node of runners) {
    if (node.recovered) {
      if (node.name) broken.add(node.name);
      else incomplete = true;
      continue;
    }
    let name = node.name;
    if (name === null) {
      const base = deriveName(node.path);
      name = base;
      // Resume where the last search for this base stopped: names before it are all taken.
      let i = nextSuffix.get(base) ?? 2;
      for (; derivedTaken.has(name); i++) name = `${base}-${i}`;
      nextSuffix.set(base, i);
      derivedTaken.add(name);
    } else {
      const problem = unitNameProblem(name, node.origin);
      if (problem) r.invalid(node.namePos, problem);
    }
    const alive = check(node.conditions);
    const compiled = compileRunner(node, name, check, r);
    if (alive) surviving.push(compiled);
    else disabled.add(name);
  }

  // 3. Duplicates among surviving units whose placements overlap.
  const seen = new Map<string, CompiledUnit[]>();
  const kept: CompiledUnit[] = [];
  for (const u of surviving) {
    const prior = seen.get(u.spec.name) ?? [];
    const clash = prior.find((p) => p.spec.node === null || u.spec.node === null || p.spec.node === u.spec.node);
    const ext = opts.existing?.get(u.spec.name);
    if (clash) {
      const at = clash.namePos;
      r.invalid(u.namePos, `duplicate unit name "${u.spec.name}" (first declared at ${short(at)})`);
      continue;
    }
    if (ext !== undefined && (ext === null || u.spec.node === null || ext === u.spec.node)) {
      r.invalid(u.namePos, `a unit named "${u.spec.name}" already exists in the running plan`);
      continue;
    }
    prior.push(u);
    seen.set(u.spec.name, prior);
    kept.push(u);
  }

  // 4. Placement.
  const isHere = (u: CompiledUnit): boolean => u.spec.node === null || u.spec.node === opts.scope.node;
  const here = kept.filter(isHere);
  const elsewhere = kept.filter((u) => !isHere(u)).map((u) => ({ name: u.spec.name, node: u.spec.node as string }));
  const hereNames = new Set(here.map((u) => u.spec.name));
  checkRunAs(here, r);

  // 5. Dependency targets. Lookups and suggestions are shared: a missing unit
  // that many units depend on costs one "did you mean" search, not one each.
  const awayByName = new Map<string, { name: string; node: string }>();
  for (const e of elsewhere) if (!awayByName.has(e.name)) awayByName.set(e.name, e);
  const suggestions = new Map<string, string>();
  const suggest = (name: string): string => {
    let hint = suggestions.get(name);
    if (hint === undefined) {
      hint = didYouMean(name, [...hereNames, ...(opts.external ?? [])]);
      suggestions.set(name, hint);
    }
    return hint;
  };
  for (const u of here) {
    for (const d of u.dependsOn) {
      if (hereNames.has(d.name) || opts.external?.has(d.name) || broken.has(d.name)) continue;
      if (d.name === u.spec.name) {
        r.invalid(d.pos, `depends_on: "${d.name}" cannot depend on itself`);
        continue;
      }
      const away = awayByName.get(d.name);
      if (away) r.invalid(d.pos, `depends_on: "${d.name}" runs on node "${away.node}", not on "${opts.scope.node}"; a unit can only depend on units of its own node`);
      else if (disabled.has(d.name)) r.invalid(d.pos, `depends_on: "${d.name}" is not in the plan (its condition is false)`);
      else if (!incomplete) r.invalid(d.pos, `depends_on: unknown unit "${d.name}"${suggest(d.name)}`);
    }
  }

  // 6. Start order (and cycles), network.
  const units = orderUnits(here, r);
  let network: NetworkSpec | null = null;
  for (const n of networks) {
    if (n.type !== 'network' || n.recovered) continue;
    const spec = compileNetwork(n, r);
    if (network) r.invalid(n.pos, `only one network block is allowed (first at ${short(network.source)})`);
    else network = spec;
  }
  return { units, elsewhere, network, compiled: kept };
}

function short(p: RealPosition): string {
  return `${p.file.split('/').pop() ?? p.file}:${p.line}:${p.column}`;
}

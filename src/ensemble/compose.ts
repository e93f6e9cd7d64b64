import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { didYouMean } from './did-you-mean.js';
import { toPropertyBlock } from './field-reader.js';
import { renderSource } from './liquid-render.js';
import type { LoadContext } from './load-sources.js';
import { Reporter } from './reporter.js';
import type { ComposeNode, RunnerNode } from './syntax/ast.js';
import { parseSource } from './syntax/parse-source.js';
import { runtimePaths } from '../common/runtime-dir.js';
import { unwatchedEnv } from './template-scope.js';
import { unitNameProblem } from './unit-name.js';

/** Built-in compose kinds: a gRPC service (readiness notify) and a background agent (readiness started). */
export const BUILTIN_COMPOSE_KINDS = ['service', 'agent'] as const;

/** The host Tinkwell's `{{ host.grpc }}` and `{{ host.dll }}` mean here: the one that runs units as children of one process. */
export const TEMPLATE_HOST = '@ensemble/node-host';

/**
 * What Tinkwell's `{{ firmlet.health_check }}` renders to. Here a host's health is
 * its own (`@ensemble/node-host` answers grpc.health.v1, the supervisor probes it),
 * so a `service runner` with this path is left out of the runners a template makes.
 */
export const TEMPLATE_HEALTH_CHECK = '@ensemble/health-check';

/**
 * Tinkwell's template variables (its EnsamblePreprocessor) with their meaning here:
 * `host.grpc`, `host.dll`, `firmlet.health_check` and `address.supervisor` (the
 * supervisor's API address, as units get it in ENSEMBLE_SUPERVISOR; computed only
 * when a template uses it).
 */
function tinkwellTemplateVariables(rootFile: string, variables: Record<string, unknown>): Record<string, unknown> {
  const env = variables.env as Readonly<Record<string, string>> | undefined;
  return {
    host: { grpc: TEMPLATE_HOST, dll: TEMPLATE_HOST },
    firmlet: { health_check: TEMPLATE_HEALTH_CHECK },
    address: {
      get supervisor(): string {
        const node = typeof variables.node === 'string' ? variables.node : undefined;
        return runtimePaths(rootFile, env ? unwatchedEnv(env) : {}, node).apiAddress;
      },
    },
  };
}

/** A runner made by a template without its `{{ firmlet.health_check }}` children (see {@link TEMPLATE_HEALTH_CHECK}). */
function withoutHealthCheck(node: RunnerNode): RunnerNode {
  if (!node.children.some((c) => c.path === TEMPLATE_HEALTH_CHECK)) return node;
  return { ...node, children: node.children.filter((c) => c.path !== TEMPLATE_HEALTH_CHECK) };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Templates looked for during one load (a file with 10,000 compose statements asks the file system once per kind and directory). */
const looked = new WeakMap<LoadContext, Map<string, Promise<string | null>>>();

/** Where a kind's template is looked for: next to the declaring file, then next to the root file. */
function findTemplate(kind: string, dirs: string[], ctx: LoadContext): Promise<string | null> {
  let cache = looked.get(ctx);
  if (!cache) looked.set(ctx, (cache = new Map()));
  const key = `${kind}\0${dirs.join('\0')}`;
  let found = cache.get(key);
  if (!found) {
    found = (async () => {
      for (const dir of dirs) {
        for (const ext of ['.liquid', '.template']) {
          const f = path.join(dir, `compose_${kind}${ext}`);
          if (await exists(f)) return f;
        }
      }
      return null;
    })();
    cache.set(key, found);
  }
  return found;
}

/**
 * Expand one `compose` statement into runner statements. Built-in kinds
 * (without a template of that name next to the file) become one runner
 * whose properties are the block; other kinds render
 * `compose_<kind>.liquid` (Tinkwell's `.template` is accepted too) with
 * `name`, `path`, `properties`, Tinkwell's `host.*`, `firmlet.*` and
 * `address.*` and the usual variables, and parse the result. The statement's `if`/`on` apply to every runner it produces.
 * Returns null when the statement cannot be expanded (errors reported).
 */
export async function expandCompose(st: ComposeNode, rootFile: string, ctx: LoadContext): Promise<RunnerNode[] | null> {
  const r = ctx.reporter;
  const nameProblem = unitNameProblem(st.name, st.origin);
  if (nameProblem) r.invalid(st.namePos, nameProblem);
  if (st.path === '') r.invalid(st.pathPos, 'the path of a compose statement must not be empty');
  const origin = { file: st.origin.file, compose: st.kind };

  const dirs = [...new Set([path.dirname(st.origin.file), path.dirname(rootFile)])];
  // A template next to the file defines its kind, a built-in one too (Tinkwell's own compose_service.template, say).
  const template = /^[A-Za-z0-9_-]+$/.test(st.kind) ? await findTemplate(st.kind, dirs, ctx) : null;
  if (!template && (BUILTIN_COMPOSE_KINDS as readonly string[]).includes(st.kind)) {
    return [
      {
        type: 'runner',
        name: st.name,
        namePos: st.namePos,
        path: st.path,
        pathPos: st.pathPos,
        conditions: st.conditions,
        on: st.on,
        fields: st.fields.length > 0 ? [{ key: 'properties', keyPos: st.pos, value: { kind: 'block', fields: st.fields, pos: st.pos } }] : [],
        children: [],
        pos: st.pos,
        origin,
        recovered: st.recovered,
      },
    ];
  }

  if (!template) {
    r.report(
      'ENS_E_VALIDATION',
      st.kindPos,
      `unknown compose kind "${st.kind}"${didYouMean(st.kind, BUILTIN_COMPOSE_KINDS)}: built-in kinds are service and agent; for your own kind create compose_${st.kind}.liquid next to the ensemble file`,
    );
    return null;
  }
  const text = await readFile(template, 'utf8');
  ctx.registry.add(template, text);
  const values = toPropertyBlock(st.fields, 'properties', new Reporter(ctx.registry));
  // Loaded here: Liquid is only needed when a template is rendered.
  const { PropertiesDrop } = await import('./properties-drop.js');
  const rendered = await renderSource({
    file: template,
    text,
    registry: ctx.registry,
    variables: { ...ctx.variables, ...tinkwellTemplateVariables(rootFile, ctx.variables), name: st.name, path: st.path, properties: new PropertiesDrop(st.blockText, values) },
    diagnostics: r.diagnostics,
  });
  if (!rendered) return null;
  const out: RunnerNode[] = [];
  for (const s of parseSource(rendered, origin, r)) {
    if (s.type !== 'runner') {
      r.report('ENS_E_PARSE', s.pos, `a compose template may contain only runner statements, found ${s.type}`);
      continue;
    }
    out.push(withoutHealthCheck({ ...s, conditions: [...st.conditions, ...s.conditions], on: s.on ?? st.on }));
  }
  return out;
}

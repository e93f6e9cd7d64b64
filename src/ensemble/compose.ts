import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { didYouMean } from './did-you-mean.js';
import { toPropertyBlock } from './field-reader.js';
import { renderSource } from './liquid-render.js';
import type { LoadContext } from './load-sources.js';
import { Reporter } from './reporter.js';
import type { ComposeNode, RunnerNode } from './syntax/ast.js';
import { parseSource } from './syntax/parse-source.js';
import { unitNameProblem } from './unit-name.js';

/** Built-in compose kinds: a gRPC service (readiness notify) and a background agent (readiness started). */
export const BUILTIN_COMPOSE_KINDS = ['service', 'agent'] as const;

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Where a user kind's template is looked for: next to the declaring file, then next to the root file. */
async function findTemplate(kind: string, dirs: string[]): Promise<string | null> {
  for (const dir of dirs) {
    for (const ext of ['.liquid', '.template']) {
      const f = path.join(dir, `compose_${kind}${ext}`);
      if (await exists(f)) return f;
    }
  }
  return null;
}

/**
 * Expand one `compose` statement into runner statements. Built-in kinds
 * become one runner whose properties are the block; user kinds render
 * `compose_<kind>.liquid` (Tinkwell's `.template` is accepted too) with
 * `name`, `path`, `properties` and the usual variables, and parse the
 * result. The statement's `if`/`on` apply to every runner it produces.
 * Returns null when the statement cannot be expanded (errors reported).
 */
export async function expandCompose(st: ComposeNode, rootFile: string, ctx: LoadContext): Promise<RunnerNode[] | null> {
  const r = ctx.reporter;
  const nameProblem = unitNameProblem(st.name);
  if (nameProblem) r.invalid(st.namePos, nameProblem);
  if (st.path === '') r.invalid(st.pathPos, 'the path of a compose statement must not be empty');
  const origin = { file: st.origin.file, compose: st.kind };

  if ((BUILTIN_COMPOSE_KINDS as readonly string[]).includes(st.kind)) {
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

  const dirs = [...new Set([path.dirname(st.origin.file), path.dirname(rootFile)])];
  const template = /^[A-Za-z0-9_-]+$/.test(st.kind) ? await findTemplate(st.kind, dirs) : null;
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
    variables: { ...ctx.variables, name: st.name, path: st.path, properties: new PropertiesDrop(st.blockText, values) },
    diagnostics: r.diagnostics,
  });
  if (!rendered) return null;
  const out: RunnerNode[] = [];
  for (const s of parseSource(rendered, origin, r)) {
    if (s.type !== 'runner') {
      r.report('ENS_E_PARSE', s.pos, `a compose template may contain only runner statements, found ${s.type}`);
      continue;
    }
    out.push({ ...s, conditions: [...st.conditions, ...s.conditions], on: s.on ?? st.on });
  }
  return out;
}

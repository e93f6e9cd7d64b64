import path from 'node:path';
import type { Context, Emitter, Liquid } from 'liquidjs';
import type { Diagnostic } from './diagnostic.js';
import { MARK_CLOSE, MARK_OPEN, markSource, SourceMap } from './source-map.js';
import type { SourceRegistry } from './source-registry.js';
import { budgetExceeded, CLI_RAISE, type RenderBudget } from './render-budget.js';
import { currentLiquidLimits, MAX_INCLUDE_DEPTH, type LiquidLimits } from './template-limits.js';

/** First line that turns Liquid rendering off for a file (Tinkwell's directive). */
export const NO_PREPROCESSOR = '// @no-preprocessor';

/** Text ready for the lexer, with the map back to real positions. */
export interface RenderedSource {
  readonly text: string;
  readonly map: SourceMap;
}

/** What {@link renderSource} needs. */
export interface RenderRequest {
  /** Absolute path of the template (for positions and `{% include %}`). */
  readonly file: string;
  /** The template text. May already contain markers (compose properties). */
  readonly text: string;
  readonly registry: SourceRegistry;
  readonly variables: Record<string, unknown>;
  readonly diagnostics: Diagnostic[];
}

/**
 * True when Liquid could change the text: it has a `{{ … }}` or `{% … %}`
 * (Liquid's only delimiters) or a position marker. Without any, rendering
 * returns the text unchanged and positions are the file's own, so large
 * generated files skip the engine and the marker round trip entirely.
 */
export function hasTemplateMarkup(text: string): boolean {
  return text.includes('{{') || text.includes('{%') || text.includes(MARK_OPEN);
}

/**
 * Render a file as a Liquid template (strict variables and filters) and map
 * the result back to real positions. On a Liquid error a diagnostic is added
 * (at the real line and column) and `null` is returned.
 *
 * The render is bounded: liquidjs's `renderLimit` (the time left of the
 * render budget), `memoryLimit` and `parseLimit` (from its memory), and at
 * most {@link MAX_INCLUDE_DEPTH} nested `include`/`render`/`layout` tags
 * (see template-limits.ts).
 */
export async function renderSource(req: RenderRequest): Promise<RenderedSource | null> {
  const fileId = req.registry.id(req.file);
  if (req.text.startsWith(NO_PREPROCESSOR) || !hasTemplateMarkup(req.text)) {
    return { text: req.text, map: SourceMap.identity(req.registry, fileId) };
  }
  const marked = markSource(req.text, fileId);
  // Loaded on first use: files without templates never pay for the engine.
  const { Liquid } = await import('liquidjs');
  const limits = currentLiquidLimits();
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    root: [path.dirname(req.file)],
    relativeReference: true,
    cache: false,
    renderLimit: limits.renderLimit,
    memoryLimit: limits.memoryLimit,
    parseLimit: limits.parseLimit,
  });
  boundIncludeDepth(liquid, req.file);
  let rendered: string;
  try {
    rendered = await liquid.parseAndRender(marked, req.variables);
  } catch (e) {
    req.diagnostics.push(liquidDiagnostic(e, req, marked, limits));
    return null;
  }
  return SourceMap.strip(req.registry, rendered, fileId);
}

/** The tags that render another file. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

/**
 * Replace the file tags of `liquid` by subclasses that count how deep they
 * are nested (one render runs one tag at a time, so a counter suffices) and
 * stop past {@link MAX_INCLUDE_DEPTH} with an error at the tag.
 */
function boundIncludeDepth(liquid: Liquid, rootFile: string): void {
  const chain: string[] = [];
  for (const name of FILE_TAGS) {
    const Base = liquid.tags[name];
    if (!Base) continue;
    const baseRender = (Base as unknown as { prototype: { render(ctx: Context, emitter: Emitter): unknown } }).prototype.render;
    liquid.registerTag(
      name,
      class extends Base {
        *render(ctx: Context, emitter: Emitter): Generator<unknown, unknown, unknown> {
          const from = (this as unknown as { currentFile?: string }).currentFile ?? rootFile;
          if (chain.length >= MAX_INCLUDE_DEPTH) throw new Error(depthMessage(name, from, chain));
          chain.push(from);
          try {
            return yield* baseRender.call(this, ctx, emitter) as Generator<unknown, unknown, unknown>;
          } finally {
            chain.pop();
          }
        }
      },
    );
  }
}

function depthMessage(tag: string, from: string, chain: readonly string[]): string {
  const cycle = chain.includes(from) ? ` (${path.basename(from)} includes itself, directly or through other files)` : '';
  return `{% ${tag} %} nested more than ${MAX_INCLUDE_DEPTH} deep${cycle}`;
}

interface LiquidErrorLike {
  message?: string;
  name?: string;
  originalError?: { message?: string };
  token?: { getPosition?: () => [number, number]; file?: string; input?: string };
}

function liquidDiagnostic(e: unknown, req: RenderRequest, marked: string, limits: LiquidLimits): Diagnostic {
  const err = e as LiquidErrorLike;
  const raw = String(err.originalError?.message ?? err.message ?? e).replace(/, line:\d+, col:\d+$/, '').split('\n')[0] ?? 'template error';
  const message = liquidMessage(raw, err.name, limits);
  const [mline, mcol] = err.token?.getPosition?.() ?? [1, 1];
  const included = err.token?.file;
  if (included !== undefined) {
    // A tag of a file that Liquid itself read (include/render/layout): its
    // positions are that file's own, without markers.
    return { code: 'ENS_E_TEMPLATE', file: included, line: mline, column: mcol, message, sourceLine: err.token?.input?.split('\n')[mline - 1]?.replace(/\r$/, '') ?? '' };
  }
  // The template the engine saw had a marker at the start of most lines:
  // remove its width, then map through the markers back to the real file.
  const markedLine = marked.split('\n')[mline - 1] ?? '';
  let col = mcol;
  let rest = markedLine;
  while (rest.startsWith(MARK_OPEN)) {
    const close = rest.indexOf(MARK_CLOSE);
    col -= close + 1;
    rest = rest.slice(close + 1);
  }
  const { map } = SourceMap.strip(req.registry, marked, req.registry.id(req.file));
  const real = map.locate(mline, Math.max(1, col));
  return {
    code: 'ENS_E_TEMPLATE',
    file: real.file,
    line: real.line,
    column: real.column,
    message,
    sourceLine: req.registry.line(real.file, real.line),
  };
}

/** liquidjs's limit messages, said in terms of the render budget. */
function limitMessage(raw: string, limits: LiquidLimits): string | null {
  const budget: RenderBudget = { ...limits.budget, raise: limits.budget.raise ?? CLI_RAISE };
  if (raw === 'template render limit exceeded') return budgetExceeded('time', budget);
  const memory = budgetExceeded('memory', budget).replace(/ \(raise it with (.+)\)$/, '');
  const raise = budget.raise?.memory ?? CLI_RAISE.memory;
  if (raw === 'memory alloc limit exceeded') return `${memory} (more than ${limits.memoryLimit} range items or characters made by the template; raise it with ${raise})`;
  if (raw === 'parse length limit exceeded') return `${memory} (more than ${limits.parseLimit} characters of templates to parse; raise it with ${raise})`;
  return null;
}

function liquidMessage(raw: string, name: string | undefined, limits: LiquidLimits): string {
  const limit = limitMessage(raw, limits);
  if (limit) return `template error: ${limit}`;
  const undef = /^undefined variable: (.+)$/.exec(raw);
  if (undef) {
    const v = undef[1] ?? '';
    return `undefined variable "${v}" (known: platform, arch, hostname, node, env.NAME, params.KEY; use | default: "…" for optional values)`;
  }
  void name;
  return `template error: ${raw}`;
}

import path from 'node:path';
import type { Diagnostic } from './diagnostic.js';
import { MARK_CLOSE, MARK_OPEN, markSource, SourceMap } from './source-map.js';
import type { SourceRegistry } from './source-registry.js';

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
 */
export async function renderSource(req: RenderRequest): Promise<RenderedSource | null> {
  const fileId = req.registry.id(req.file);
  if (req.text.startsWith(NO_PREPROCESSOR) || !hasTemplateMarkup(req.text)) {
    return { text: req.text, map: SourceMap.identity(req.registry, fileId) };
  }
  const marked = markSource(req.text, fileId);
  // Loaded on first use: files without templates never pay for the engine.
  const { Liquid } = await import('liquidjs');
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    root: [path.dirname(req.file)],
    relativeReference: true,
    cache: false,
  });
  let rendered: string;
  try {
    rendered = await liquid.parseAndRender(marked, req.variables);
  } catch (e) {
    req.diagnostics.push(liquidDiagnostic(e, req, marked));
    return null;
  }
  return SourceMap.strip(req.registry, rendered, fileId);
}

function liquidDiagnostic(e: unknown, req: RenderRequest, marked: string): Diagnostic {
  const err = e as { message?: string; token?: { getPosition?: () => [number, number] }; originalError?: { message?: string }; name?: string };
  const raw = String(err.originalError?.message ?? err.message ?? e).replace(/, line:\d+, col:\d+$/, '').split('\n')[0] ?? 'template error';
  const [mline, mcol] = err.token?.getPosition?.() ?? [1, 1];
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
    message: liquidMessage(raw, err.name),
    sourceLine: req.registry.line(real.file, real.line),
  };
}

function liquidMessage(raw: string, name: string | undefined): string {
  const undef = /^undefined variable: (.+)$/.exec(raw);
  if (undef) {
    const v = undef[1] ?? '';
    return `undefined variable "${v}" (known: platform, arch, hostname, node, env.NAME, params.KEY; use | default: "…" for optional values)`;
  }
  void name;
  return `template error: ${raw}`;
}

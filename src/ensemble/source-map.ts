import type { SourceRegistry } from './source-registry.js';

/**
 * Positions after Liquid rendering. Before rendering, every source line that
 * starts outside a Liquid tag is prefixed with an invisible marker naming its
 * file, line and column; after rendering the markers are stripped and turned
 * into this map from rendered (line, column) to the real position. Lines a
 * loop generates map to the loop body's line; columns are exact up to the
 * first substitution on a line.
 */
export const MARK_OPEN = '\uE000';
export const MARK_CLOSE = '\uE001';

/** A real position in a source file. */
export interface RealPosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

interface Segment {
  /** 1-based rendered column where this segment starts. */
  readonly at: number;
  readonly fileId: number;
  readonly line: number;
  readonly column: number;
}

/** The marker text for a position. */
export function marker(fileId: number, line: number, column = 1): string {
  return `${MARK_OPEN}${fileId}:${line}:${column}${MARK_CLOSE}`;
}

/**
 * Prefix each line that starts outside a Liquid tag/output with a marker.
 * Lines inside `{% raw %}`/`{% comment %}` are marked too (raw text is
 * output as is and the markers are stripped afterwards).
 */
export function markSource(text: string, fileId: number): string {
  const out: string[] = [];
  let inTag: '' | '%' | '{' = '';
  let line = 1;
  let start = 0;
  let lineStart = 0;
  out.push(marker(fileId, 1));
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      out.push(text.slice(start, i + 1));
      start = i + 1;
      lineStart = i + 1;
      line++;
      if (inTag === '') out.push(marker(fileId, line));
    } else if (inTag === '' && c === 123 /* { */) {
      const n = text.charCodeAt(i + 1);
      if (n === 37 /* % */) inTag = '%';
      else if (n === 123) inTag = '{';
      if (inTag !== '') i++;
    } else if ((inTag === '%' && c === 37 && text.charCodeAt(i + 1) === 125) || (inTag === '{' && c === 125 && text.charCodeAt(i + 1) === 125)) {
      inTag = '';
      i++;
      // Re-synchronise columns after a substitution, unless `-}}`/`-%}` must trim what follows.
      if (text.charCodeAt(i - 2) !== 45 /* - */ && text.charCodeAt(i + 1) !== 10) {
        out.push(text.slice(start, i + 1));
        start = i + 1;
        out.push(marker(fileId, line, i + 2 - lineStart));
      }
    }
  }
  out.push(text.slice(start));
  return out.join('');
}

/**
 * The numbers of a marker's text (between `from` and `to`), as
 * `text.split(':').map(Number)` gives them; plain `F:L:C` markers (all of
 * ours) are read without allocating.
 */
function markerFields(text: string, from: number, to: number): (number | undefined)[] {
  const fields: number[] = [];
  let n = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 48 && ch <= 57 && digits < 15) {
      n = n * 10 + (ch - 48);
      digits++;
    } else if (ch === 58 && digits > 0 && fields.length < 2) {
      fields.push(n);
      n = 0;
      digits = 0;
    } else {
      return text.slice(from, to).split(':').map(Number);
    }
  }
  if (digits === 0 || fields.length !== 2) return text.slice(from, to).split(':').map(Number);
  fields.push(n);
  return fields;
}

/** Maps rendered positions back to real ones. */
export class SourceMap {
  readonly #lines: Segment[][];
  readonly #registry: SourceRegistry;
  readonly #identity: number | null;

  private constructor(registry: SourceRegistry, lines: Segment[][], identity: number | null) {
    this.#registry = registry;
    this.#lines = lines;
    this.#identity = identity;
  }

  /** A map for text that was not rendered: positions are the file's own. */
  static identity(registry: SourceRegistry, fileId: number): SourceMap {
    return new SourceMap(registry, [], fileId);
  }

  /** Strip markers from rendered text; returns the clean text and its map. Linear in the text. */
  static strip(registry: SourceRegistry, rendered: string, fallbackFileId: number): { text: string; map: SourceMap } {
    const out: string[] = [];
    let fileId = fallbackFileId;
    let realLine = 1;
    let col = 1;
    let lineSegs: Segment[] = [{ at: 1, fileId, line: 1, column: 1 }];
    const lines: Segment[][] = [lineSegs];
    // The next newline at or after the text emitted so far (emitting only moves forward).
    let nl = rendered.indexOf('\n');
    const emit = (from: number, to: number): void => {
      for (;;) {
        if (nl >= 0 && nl < from) nl = rendered.indexOf('\n', from);
        if (nl < 0 || nl >= to) {
          col += to - from;
          break;
        }
        col = 1;
        lineSegs = [{ at: 1, fileId, line: realLine, column: 1 }];
        lines.push(lineSegs);
        from = nl + 1;
      }
    };
    let pos = 0;
    while (pos < rendered.length) {
      const open = rendered.indexOf(MARK_OPEN, pos);
      if (open < 0) {
        emit(pos, rendered.length);
        out.push(rendered.slice(pos));
        break;
      }
      if (open > pos) {
        emit(pos, open);
        out.push(rendered.slice(pos, open));
      }
      const close = rendered.indexOf(MARK_CLOSE, open);
      if (close < 0) {
        pos = open + 1;
        continue;
      }
      const [f, l, c] = markerFields(rendered, open + 1, close);
      fileId = f ?? fallbackFileId;
      realLine = l ?? 1;
      const seg: Segment = { at: col, fileId, line: realLine, column: c ?? 1 };
      // A marker at the very start of a line replaces the continuation segment.
      if (col === 1 && lineSegs.length === 1) lineSegs[0] = seg;
      else lineSegs.push(seg);
      pos = close + 1;
    }
    return { text: out.join(''), map: new SourceMap(registry, lines, null) };
  }

  /** The real position of a rendered (line, column), both 1-based. */
  locate(line: number, column: number): RealPosition {
    if (this.#identity !== null) return { file: this.#registry.path(this.#identity), line, column };
    const segs = this.#lines[line - 1] ?? this.#lines[this.#lines.length - 1] ?? [];
    let seg = segs[0];
    for (const s of segs) if (s.at <= column) seg = s;
    if (seg === undefined) return { file: this.#registry.path(0), line, column };
    return { file: this.#registry.path(seg.fileId), line: seg.line, column: seg.column + (column - seg.at) };
  }

  /**
   * Re-embed markers into a slice of rendered text so that, when it is
   * substituted into another template, positions still point at their origin.
   */
  embed(slice: string, startLine: number, startColumn: number): string {
    const parts: string[] = [];
    let line = startLine;
    let col = startColumn;
    for (const piece of slice.split('\n')) {
      const p = this.locate(line, col);
      parts.push(marker(this.#registry.id(p.file), p.line, p.column) + piece);
      line++;
      col = 1;
    }
    return parts.join('\n');
  }
}

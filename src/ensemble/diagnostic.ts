import path from 'node:path';
import type { ErrorCode } from '../common/errors.js';
import { MAX_QUOTED_LINE } from './limits.js';

/**
 * One problem found in an ensemble file: where it is (the real file, after
 * Liquid rendering, imports and compose expansion) and what is wrong.
 */
export interface Diagnostic {
  readonly code: ErrorCode;
  /** Absolute path of the file the problem is in (or a label such as `<snippet>`). */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** One line, specific, says what was expected. */
  readonly message: string;
  /**
   * The text of the offending line, when known: the whole line, or, for a
   * line longer than MAX_QUOTED_LINE, a window around the column with "…"
   * where it was cut (see {@link quoteLine}).
   */
  readonly sourceLine?: string;
  /** The 1-based column of the caret in `sourceLine` when it is a window (else `column`). */
  readonly sourceColumn?: number;
}

/** A source line as quoted under a diagnostic, and the caret's column in it. */
export interface QuotedLine {
  readonly text: string;
  readonly column: number;
}

/**
 * Quote a source line: whole when at most `max` characters, else the `max`
 * characters around `column` with "…" at each end that was cut, so a
 * 10 MB line costs a diagnostic 160 characters. Idempotent for short lines.
 */
export function quoteLine(line: string, column: number, max: number = MAX_QUOTED_LINE): QuotedLine {
  const src = line.replace(/\r$/, '');
  if (src.length <= max) return { text: src, column };
  const at = Math.min(Math.max(0, column - 1), src.length);
  let start = Math.max(0, at - Math.floor(max / 2));
  const end = Math.min(src.length, start + max);
  start = Math.max(0, end - max);
  const head = start > 0 ? '…' : '';
  const tail = end < src.length ? '…' : '';
  return { text: `${head}${src.slice(start, end)}${tail}`, column: at - start + 1 + head.length };
}

/** A path as shown to users: relative to the current directory when inside it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return file;
  return rel;
}

/**
 * Format a diagnostic the way every Ensemble tool prints it:
 * `file:line:col: message`, then the source line and a caret under the column.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${displayPath(d.file)}:${d.line}:${d.column}: ${d.message}`;
  if (d.sourceLine === undefined) return head;
  const { text, column } = quoteLine(d.sourceLine, d.sourceColumn ?? d.column);
  // Keep tabs in the caret line so it lines up under the column in any terminal.
  const prefix = text.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, ' ');
  return `${head}\n  ${text}\n  ${prefix}^`;
}

/** The line after the diagnostics shown when more were found than kept. */
export function moreErrorsLine(omitted: number): string {
  return `and ${omitted} more error${omitted === 1 ? '' : 's'}`;
}

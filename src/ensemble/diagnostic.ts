import path from 'node:path';
import type { ErrorCode } from '../errors.js';

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
  /** The text of the offending line, when known. */
  readonly sourceLine?: string;
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
  const src = d.sourceLine.replace(/\r$/, '');
  // Keep tabs in the caret line so it lines up under the column in any terminal.
  const prefix = src.slice(0, Math.max(0, d.column - 1)).replace(/[^\t]/g, ' ');
  return `${head}\n  ${src}\n  ${prefix}^`;
}

/** Order diagnostics by file, line and column (stable for equal positions). */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.file.localeCompare(b.d.file) || a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map((x) => x.d);
}

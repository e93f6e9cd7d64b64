import type { Diagnostic } from '../../ensemble/diagnostic.js';
import { formatDiagnostic } from '../../ensemble/diagnostic.js';
import { EnsembleError } from '../../common/errors.js';

/**
 * A reload (or diff) whose new plan has errors: nothing was changed. The
 * message holds every diagnostic with its absolute path (`file:line:col:
 * message`, the source line and a caret), then a summary line, because the
 * caller (CLI, API client) may run in another directory than the supervisor.
 */
export class PlanRejectedError extends EnsembleError {
  readonly diagnostics: readonly Diagnostic[];
  readonly file: string;

  constructor(file: string, diagnostics: readonly Diagnostic[]) {
    const n = diagnostics.length;
    super('ENS_E_PLAN', `${diagnostics.map(formatAbsolute).join('\n')}\n${file}: ${n} error${n === 1 ? '' : 's'}; nothing was changed`);
    this.diagnostics = diagnostics;
    this.file = file;
  }
}

/** `formatDiagnostic` with the absolute file path (independent of the current directory). */
export function formatAbsolute(d: Diagnostic): string {
  const lines = formatDiagnostic(d).split('\n');
  lines[0] = `${d.file}:${d.line}:${d.column}: ${d.message}`;
  return lines.join('\n');
}

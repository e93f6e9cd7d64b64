import { EnsembleError } from '../errors.js';
import { formatDiagnostic, type Diagnostic } from './diagnostic.js';

/**
 * The Plan could not be built. Carries every diagnostic found in one run
 * (never only the first); the message is all of them formatted, one block each.
 */
export class PlanError extends EnsembleError {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    super('ENS_E_PLAN', diagnostics.map(formatDiagnostic).join('\n'));
    this.diagnostics = diagnostics;
  }
}

import { EnsembleError } from '../common/errors.js';
import { formatDiagnostic, moreErrorsLine, type Diagnostic } from './diagnostic.js';
import { MAX_DIAGNOSTICS } from './limits.js';

/**
 * The Plan could not be built. Carries every diagnostic found in one run
 * (never only the first) up to MAX_DIAGNOSTICS, and how many more there
 * were; the message is all of them formatted, one block each, then
 * "and N more errors".
 */
export class PlanError extends EnsembleError {
  readonly diagnostics: Diagnostic[];
  /** Problems found beyond the diagnostics kept. */
  readonly omitted: number;

  constructor(diagnostics: Diagnostic[], omitted = 0) {
    const kept = diagnostics.length > MAX_DIAGNOSTICS ? diagnostics.slice(0, MAX_DIAGNOSTICS) : diagnostics;
    const more = omitted + diagnostics.length - kept.length;
    super('ENS_E_PLAN', [...kept.map(formatDiagnostic), ...(more > 0 ? [moreErrorsLine(more)] : [])].join('\n'));
    this.diagnostics = kept;
    this.omitted = more;
  }

  /** Every problem found: the diagnostics kept and the ones only counted. */
  get total(): number {
    return this.diagnostics.length + this.omitted;
  }
}

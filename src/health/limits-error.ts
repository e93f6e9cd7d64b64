import { EnsembleError } from '../common/errors.js';

/** A resource limit cannot be applied or released (code ENS_E_LIMITS). */
export class LimitsError extends EnsembleError {
  readonly unit: string;
  constructor(unit: string, message: string, cause?: unknown) {
    super('ENS_E_LIMITS', `${unit}: ${message}`, { cause });
    this.unit = unit;
  }
}

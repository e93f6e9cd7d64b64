import { formatMs } from '../common/duration.js';
import { EnsembleError } from '../common/errors.js';

/** A unit process cannot be started: missing executable, bad working directory, spawn failure. */
export class SpawnError extends EnsembleError {
  readonly unit: string;
  constructor(unit: string, message: string, cause?: unknown) {
    super('ENS_E_SPAWN', message, { cause });
    this.unit = unit;
  }
}

/** A unit did not become ready within its `ready_timeout`. */
export class ReadyTimeoutError extends EnsembleError {
  readonly unit: string;
  constructor(unit: string, timeoutMs: number) {
    super('ENS_E_READY_TIMEOUT', `not ready within ${formatMs(timeoutMs)}`);
    this.unit = unit;
  }
}

/** The runtime directory is unusable or owned by a live supervisor. */
export class RuntimeDirError extends EnsembleError {
  constructor(message: string, cause?: unknown) {
    super('ENS_E_RUNTIME_DIR', message, { cause });
  }
}

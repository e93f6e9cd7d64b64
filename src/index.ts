/**
 * The `ensemble` package's public API (`import … from 'ensemble'`), for
 * programs that work with ensemble files and running supervisors: compile and
 * check a file into a {@link Plan}, talk to a running supervisor, and tell its
 * errors apart by their stable codes. See docs/library.md.
 *
 * A unit (a program a supervisor runs) imports `ensemble/sdk` instead
 * (docs/sdk.md). Everything not exported here is internal and may change.
 */
import { resolveSupervisorTarget } from './api/client-address.js';
import { SupervisorClient } from './api/supervisor-client.js';

// Plans: compile and check an ensemble file.
export { loadPlan, type LoadOptions } from './ensemble/load-plan.js';
export { loadPlanBounded } from './ensemble/bounded-compile.js';
export { PlanError } from './ensemble/plan-error.js';
export { formatDiagnostic, type Diagnostic } from './ensemble/diagnostic.js';
export { parseParams } from './ensemble/params.js';
export { summarizePlan, renderPlanText, maskPlan, MASK } from './ensemble/render-plan.js';
export { DEFAULT_RENDER_BUDGET, type RenderBudget } from './ensemble/render-budget.js';
export type * from './ensemble/plan.js';

// A running supervisor.
export { SupervisorClient } from './api/supervisor-client.js';
export type { SupervisorTarget } from './api/client-address.js';
export type { StreamHandle } from './wire/stream-handle.js';
export type { UnitMessage, StatusMessage, LogLineMessage } from './api/supervisor-messages.js';
export type { ServiceMessage } from './wire/discovery-messages.js';
export type { ReloadResult, UnitReload, NetworkReload, ReloadAction } from './supervisor/lifecycle/control.js';

// Errors: every error Ensemble throws is an EnsembleError with a stable code (docs/errors.md).
export {
  ERROR_CODES,
  type ErrorCode,
  EnsembleError,
  isEnsembleError,
  UnitNotFoundError,
  InvalidArgumentError,
  StateError,
  UnreachableError,
  PermissionError,
  UnsupportedError,
  AlreadyExistsError,
  ResourceExhaustedError,
} from './common/errors.js';
export { RemoteError } from './wire/grpc-status.js';

export { VERSION } from './common/version.js';

/** Where {@link supervisorClient} finds the supervisor. */
export interface SupervisorClientOptions {
  /**
   * The supervisor's API address: `unix:/path/api.sock`, a socket path, or
   * `host:port` (what `--supervisor` takes). Default: `ENSEMBLE_SUPERVISOR`,
   * else the runtime directory of the ensemble file in `cwd`, as the CLI does.
   */
  readonly address?: string;
  /** Environment read for `ENSEMBLE_SUPERVISOR`, `ENSEMBLE_NODE` and the runtime directory (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Directory whose ensemble file names the supervisor (default `process.cwd()`). */
  readonly cwd?: string;
}

/**
 * A client of a running supervisor, found the way the CLI finds it. No call
 * is made yet; calls reject with EnsembleErrors (`ENS_E_UNREACHABLE` naming the
 * address and how it was chosen when nothing answers). Throws an
 * UnreachableError when no supervisor can be named. Close it with `close()`.
 */
export function supervisorClient(options: SupervisorClientOptions = {}): SupervisorClient {
  return new SupervisorClient(resolveSupervisorTarget(options.address, options.env ?? process.env, options.cwd ?? process.cwd()));
}

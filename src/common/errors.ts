/**
 * Every error Ensemble raises on purpose is an {@link EnsembleError} with a
 * stable `code`. Scripts and tests match on the code, never on the message.
 * The full table, with meanings, is in docs/errors.md; keep both in sync.
 */
export const ERROR_CODES = {
  /** The ensemble text does not follow the grammar (also unterminated strings/comments). */
  ENS_E_PARSE: 'syntax error in an ensemble file',
  /** Liquid rendering failed (bad tag, undefined variable). */
  ENS_E_TEMPLATE: 'template (Liquid) error',
  /** A field, value or reference in a valid syntax tree is wrong. */
  ENS_E_VALIDATION: 'invalid ensemble content',
  /** An imported file is missing, unreadable, or imports form a cycle. */
  ENS_E_IMPORT: 'import error',
  /** A condition (`if "…"`) does not parse or is not boolean. */
  ENS_E_CONDITION: 'condition error',
  /** The Plan has one or more errors; carries every diagnostic. */
  ENS_E_PLAN: 'the plan has errors',
  /** A unit name given by a user or a client is not in the running system. */
  ENS_E_UNIT_NOT_FOUND: 'unknown unit',
  /** A unit process cannot be started (missing executable, bad working directory). */
  ENS_E_SPAWN: 'unit cannot be started',
  /** A unit did not become ready within its start timeout. */
  ENS_E_READY_TIMEOUT: 'unit did not become ready in time',
  /** A client cannot reach the supervisor API. */
  ENS_E_UNREACHABLE: 'supervisor unreachable',
  /** A caller presented a wrong or foreign token. */
  ENS_E_PERMISSION: 'permission denied',
  /** A request is malformed (bad argument to an API call or CLI verb). */
  ENS_E_INVALID_ARGUMENT: 'invalid argument',
  /** An operation the running system cannot perform now (wrong state). */
  ENS_E_STATE: 'operation not possible in the current state',
  /** The runtime directory is unusable or already owned by a live supervisor. */
  ENS_E_RUNTIME_DIR: 'runtime directory error',
  /** A resource limit cannot be applied. */
  ENS_E_LIMITS: 'resource limit error',
  /** The operation is not supported (yet) by this build. */
  ENS_E_UNSUPPORTED: 'not supported',
  /** A name (service, unit) is already taken by someone else. */
  ENS_E_ALREADY_EXISTS: 'already exists',
  /** A path is not part of the file view (docs/file-view.md), or names an unknown resource. */
  ENS_E_PATH_NOT_FOUND: 'no such path in the file view',
  /** A unit's own gRPC service (e.g. its Resources) does not answer, or answered too late. */
  ENS_E_UNIT_UNREACHABLE: 'unit unreachable',
  /** No registered service has the name, alias or family asked for. */
  ENS_E_SERVICE_NOT_FOUND: 'unknown service',
  /** A node name (`NODE/UNIT`, `peers/<node>`) that is not a member of the network. */
  ENS_E_NODE_NOT_FOUND: 'unknown node',
  /** A per-unit or per-call cap was reached (e.g. services a unit may register). */
  ENS_E_RESOURCE_EXHAUSTED: 'limit reached',
} as const;

/** A stable error code, see {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Base class of every deliberate Ensemble error: a stable {@link ErrorCode} and a one-line message. */
export class EnsembleError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** A unit name that is not part of the running system. */
export class UnitNotFoundError extends EnsembleError {
  readonly unit: string;
  constructor(unit: string) {
    super('ENS_E_UNIT_NOT_FOUND', `unknown unit "${unit}"`);
    this.unit = unit;
  }
}

/** A request with a malformed argument. */
export class InvalidArgumentError extends EnsembleError {
  constructor(message: string) {
    super('ENS_E_INVALID_ARGUMENT', message);
  }
}

/** An operation that is not possible in the unit's or supervisor's current state. */
export class StateError extends EnsembleError {
  constructor(message: string) {
    super('ENS_E_STATE', message);
  }
}

/** The supervisor API cannot be reached by a client. */
export class UnreachableError extends EnsembleError {
  constructor(message: string, cause?: unknown) {
    super('ENS_E_UNREACHABLE', message, { cause });
  }
}

/** A caller presented a wrong token or acted in another unit's name. */
export class PermissionError extends EnsembleError {
  constructor(message: string) {
    super('ENS_E_PERMISSION', message);
  }
}

/** A feature that this build does not support (yet). */
export class UnsupportedError extends EnsembleError {
  constructor(message: string) {
    super('ENS_E_UNSUPPORTED', message);
  }
}

/** A name (a service registered by another unit, a unit added twice) that is already taken. */
export class AlreadyExistsError extends EnsembleError {
  constructor(message: string) {
    super('ENS_E_ALREADY_EXISTS', message);
  }
}

/** A cap was reached: too many services for one unit or in one call (gRPC RESOURCE_EXHAUSTED). */
export class ResourceExhaustedError extends EnsembleError {
  constructor(message: string) {
    super('ENS_E_RESOURCE_EXHAUSTED', message);
  }
}

/** True when `e` is an {@link EnsembleError} (across module copies). */
export function isEnsembleError(e: unknown): e is EnsembleError {
  return e instanceof EnsembleError || (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && String((e as { code: string }).code).startsWith('ENS_E_'));
}

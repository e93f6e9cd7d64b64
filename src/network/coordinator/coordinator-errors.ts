/**
 * Errors of the coordinator backends (docs/network.md, "Coordinator backends").
 * Like {@link EnsembleError} they carry a stable `code` starting with `ENS_E_`
 * (so `isEnsembleError` recognises them) and a one-line message; scripts and
 * tests match on the code. Messages never contain a password or a token.
 */
export const COORDINATOR_ERROR_CODES = {
  /** The coordinator (etcd) did not answer within the call timeout, or refused the connection. */
  ENS_E_COORDINATOR_UNAVAILABLE: 'coordinator unreachable',
  /** The coordinator refused this client's credentials (user/password or client certificate). */
  ENS_E_COORDINATOR_AUTH: 'coordinator refused the credentials',
  /** A watch asked for revisions the coordinator no longer keeps (compacted). */
  ENS_E_COORDINATOR_COMPACTED: 'coordinator history compacted',
  /** An operation not possible now (closed client, resigned campaign, lost lease). */
  ENS_E_COORDINATOR_STATE: 'coordinator operation not possible in the current state',
} as const;

/** A stable coordinator error code, see {@link COORDINATOR_ERROR_CODES}. */
export type CoordinatorErrorCode = keyof typeof COORDINATOR_ERROR_CODES;

/** Base class of every coordinator error: a stable code and a one-line message. */
export class CoordinatorError extends Error {
  readonly code: CoordinatorErrorCode;

  constructor(code: CoordinatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** The coordinator cannot be reached (down, partitioned, or too slow for the call timeout). */
export class CoordinatorUnavailableError extends CoordinatorError {
  constructor(message: string, cause?: unknown) {
    super('ENS_E_COORDINATOR_UNAVAILABLE', message, { cause });
  }
}

/** The coordinator refused the credentials (wrong user/password, missing or untrusted client certificate). */
export class CoordinatorAuthError extends CoordinatorError {
  constructor(message: string, cause?: unknown) {
    super('ENS_E_COORDINATOR_AUTH', message, { cause });
  }
}

/** A watch needed revisions older than the history the coordinator keeps. */
export class CoordinatorCompactedError extends CoordinatorError {
  /** The revision asked for. */
  readonly revision: bigint;
  constructor(revision: bigint, detail: string) {
    super('ENS_E_COORDINATOR_COMPACTED', `cannot watch from revision ${revision}: ${detail}`);
    this.revision = revision;
  }
}

/** An operation not possible in the current state (closed client, campaign resigned, lease gone). */
export class CoordinatorStateError extends CoordinatorError {
  constructor(message: string) {
    super('ENS_E_COORDINATOR_STATE', message);
  }
}

/** True when `e` is a {@link CoordinatorError} with `code` (across module copies). */
export function isCoordinatorError(e: unknown, code?: CoordinatorErrorCode): e is CoordinatorError {
  if (typeof e !== 'object' || e === null) return false;
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' && c in COORDINATOR_ERROR_CODES && (code === undefined || c === code);
}

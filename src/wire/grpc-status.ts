import { status as Status, type ServiceError, Metadata } from '@grpc/grpc-js';
import { EnsembleError, isEnsembleError, type ErrorCode } from '../common/errors.js';

/**
 * The one place where Ensemble error codes meet gRPC status codes.
 * Servers turn thrown errors into statuses with {@link toServiceError};
 * clients turn statuses back into EnsembleErrors with {@link fromServiceError}.
 */
const CODE_TO_STATUS: Partial<Record<ErrorCode, Status>> = {
  ENS_E_PARSE: Status.INVALID_ARGUMENT,
  ENS_E_TEMPLATE: Status.INVALID_ARGUMENT,
  ENS_E_VALIDATION: Status.INVALID_ARGUMENT,
  ENS_E_IMPORT: Status.INVALID_ARGUMENT,
  ENS_E_CONDITION: Status.INVALID_ARGUMENT,
  ENS_E_PLAN: Status.INVALID_ARGUMENT,
  ENS_E_INVALID_ARGUMENT: Status.INVALID_ARGUMENT,
  ENS_E_UNIT_NOT_FOUND: Status.NOT_FOUND,
  ENS_E_SPAWN: Status.FAILED_PRECONDITION,
  ENS_E_READY_TIMEOUT: Status.DEADLINE_EXCEEDED,
  ENS_E_UNREACHABLE: Status.UNAVAILABLE,
  ENS_E_PERMISSION: Status.PERMISSION_DENIED,
  ENS_E_STATE: Status.FAILED_PRECONDITION,
  ENS_E_RUNTIME_DIR: Status.FAILED_PRECONDITION,
  ENS_E_LIMITS: Status.FAILED_PRECONDITION,
  ENS_E_UNSUPPORTED: Status.UNIMPLEMENTED,
  ENS_E_ALREADY_EXISTS: Status.ALREADY_EXISTS,
  ENS_E_SERVICE_NOT_FOUND: Status.NOT_FOUND,
  ENS_E_PATH_NOT_FOUND: Status.NOT_FOUND,
  ENS_E_UNIT_UNREACHABLE: Status.UNAVAILABLE,
  ENS_E_NODE_NOT_FOUND: Status.NOT_FOUND,
  ENS_E_RESOURCE_EXHAUSTED: Status.RESOURCE_EXHAUSTED,
};

/** Metadata key that carries the Ensemble error code next to the gRPC status. */
export const ERROR_CODE_HEADER = 'x-ensemble-error-code';

/** The gRPC status for an Ensemble error code (FAILED_PRECONDITION for codes not in the table). */
export function statusForCode(code: ErrorCode): Status {
  return CODE_TO_STATUS[code] ?? Status.FAILED_PRECONDITION;
}

/** A gRPC error object (for callbacks and `call.destroy`) from anything thrown by a handler. */
export function toServiceError(e: unknown): Partial<ServiceError> & { code: Status; details: string } {
  if (e instanceof GrpcStatusError) return { code: e.code, details: e.message, message: e.message };
  if (isEnsembleError(e)) {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_HEADER, e.code);
    return { code: statusForCode(e.code), details: e.message, message: e.message, metadata };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: Status.INTERNAL, details: `internal error: ${message}`, message };
}

/** True when `e` is a gRPC error with a status code. */
export function isServiceError(e: unknown): e is ServiceError {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number' && 'details' in e;
}

const STATUS_TO_CODE: Partial<Record<Status, ErrorCode>> = {
  [Status.INVALID_ARGUMENT]: 'ENS_E_INVALID_ARGUMENT',
  [Status.OUT_OF_RANGE]: 'ENS_E_INVALID_ARGUMENT',
  [Status.NOT_FOUND]: 'ENS_E_UNIT_NOT_FOUND',
  [Status.PERMISSION_DENIED]: 'ENS_E_PERMISSION',
  [Status.UNAUTHENTICATED]: 'ENS_E_PERMISSION',
  [Status.FAILED_PRECONDITION]: 'ENS_E_STATE',
  [Status.UNIMPLEMENTED]: 'ENS_E_UNSUPPORTED',
  [Status.ALREADY_EXISTS]: 'ENS_E_ALREADY_EXISTS',
  [Status.DEADLINE_EXCEEDED]: 'ENS_E_READY_TIMEOUT',
  [Status.UNAVAILABLE]: 'ENS_E_UNREACHABLE',
  [Status.RESOURCE_EXHAUSTED]: 'ENS_E_RESOURCE_EXHAUSTED',
};

/** The Ensemble code a status stands for when the server sent none (undefined: INTERNAL, UNKNOWN, CANCELLED, ...). */
export function codeForStatus(status: Status): ErrorCode | undefined {
  return STATUS_TO_CODE[status];
}

/** The Ensemble code the server sent with a failed call ({@link ERROR_CODE_HEADER}), if any. */
export function sentErrorCode(e: ServiceError): ErrorCode | undefined {
  const sent = e.metadata?.get(ERROR_CODE_HEADER)[0];
  return typeof sent === 'string' && sent.startsWith('ENS_E_') ? (sent as ErrorCode) : undefined;
}

/**
 * An EnsembleError for a gRPC error received by a client. The server's own
 * code (sent in {@link ERROR_CODE_HEADER}) wins over the status mapping; the
 * message is the server's one-line `details`.
 */
export function fromServiceError(e: ServiceError): EnsembleError {
  const code = sentErrorCode(e) ?? codeForStatus(e.code);
  const details = e.details || e.message;
  if (code) return new RemoteError(code, details, e.code);
  // INTERNAL, UNKNOWN, CANCELLED, ...: not the caller's mistake; keep the status name visible.
  return new RemoteError('ENS_E_STATE', `${Status[e.code] ?? e.code}: ${details}`, e.code);
}

/** An error answered by a gRPC server, with its gRPC status kept. */
export class RemoteError extends EnsembleError {
  readonly grpcCode: Status;
  constructor(code: ErrorCode, message: string, grpcCode: Status) {
    super(code, message);
    this.grpcCode = grpcCode;
  }
}

/** Thrown by a handler to answer with exactly this gRPC status (for standard services such as health). */
export class GrpcStatusError extends Error {
  readonly code: Status;
  constructor(code: Status, message: string) {
    super(message);
    this.name = 'GrpcStatusError';
    this.code = code;
  }
}

import type * as grpc from '@grpc/grpc-js';
import { UnreachableError, type EnsembleError } from '../common/errors.js';
import { fromServiceError } from './grpc-status.js';
import { isTransportFailure, transportReason } from './transport-error.js';

/**
 * Map the error of a client call to the local supervisor: a transport failure
 * (UNAVAILABLE without an Ensemble error code) becomes one `UnreachableError`
 * line naming the address, how it was chosen (when known) and grpc-js's cause
 * without its boilerplate; anything else is the server's own error.
 */
export function clientCallError(e: grpc.ServiceError, address: string, how?: string): EnsembleError {
  if (isTransportFailure(e)) return new UnreachableError(`cannot reach the supervisor at ${address}${how ? ` (${how})` : ''}: ${transportReason(e)}`, e);
  return fromServiceError(e);
}

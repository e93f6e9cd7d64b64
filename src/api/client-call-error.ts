import * as grpc from '@grpc/grpc-js';
import { UnreachableError, type EnsembleError } from '../errors.js';
import { ERROR_CODE_HEADER, fromServiceError } from '../wire/grpc-status.js';

/**
 * Map the error of a client call to the local supervisor: a transport failure
 * (UNAVAILABLE without an Ensemble error code) becomes one `UnreachableError`
 * line naming the address, how it was chosen (when known) and grpc-js's cause
 * without its boilerplate; anything else is the server's own error.
 */
export function clientCallError(e: grpc.ServiceError, address: string, how?: string): EnsembleError {
  if (e.code === grpc.status.UNAVAILABLE && e.metadata?.get(ERROR_CODE_HEADER).length === 0) {
    const reason = (e.details || e.message)
      .replace(/^No connection established\. Last error: /, '')
      .replace(/^Error: /, '')
      .replace(/\.? ?Resolution note: .*$/, '');
    return new UnreachableError(`cannot reach the supervisor at ${address}${how ? ` (${how})` : ''}: ${reason}`, e);
  }
  return fromServiceError(e);
}

import * as grpc from '@grpc/grpc-js';
import { ERROR_CODE_HEADER } from './grpc-status.js';

/**
 * True when a call failed before any server answered: one of `statuses`
 * (default UNAVAILABLE) without the Ensemble error code a server sends
 * with its own errors.
 */
export function isTransportFailure(e: grpc.ServiceError, statuses: readonly grpc.status[] = [grpc.status.UNAVAILABLE]): boolean {
  return statuses.includes(e.code) && (e.metadata?.get(ERROR_CODE_HEADER).length ?? 0) === 0;
}

/** grpc-js's cause of a transport failure without its boilerplate (`connect ECONNREFUSED /…/api.sock`). */
export function transportReason(e: grpc.ServiceError): string {
  return (e.details || e.message)
    .replace(/^No connection established\. Last error: /, '')
    .replace(/^Error: /, '')
    .replace(/\.? ?Resolution note: .*$/, '');
}

import {
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
  ClientClosedError,
} from 'etcd3';
import { CoordinatorAuthError, CoordinatorUnavailableError, isCoordinatorError } from './coordinator-errors.js';

/** TLS failures that mean "this client's certificate was refused" rather than "nobody answers". */
const TLS_REFUSAL = /certificate|handshake|alert|ssl|tls|self[- ]signed|unable to verify/i;

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Maps an error of the etcd3 client to a coordinator error: refused
 * credentials → {@link CoordinatorAuthError}, no answer →
 * {@link CoordinatorUnavailableError}; anything else passes through. `where`
 * names the endpoints; the messages carry no password or token.
 */
export function mapEtcdError(e: unknown, what: string, where: string): Error {
  if (isCoordinatorError(e)) return e;
  const message = firstLine(messageOf(e));
  if (e instanceof EtcdAuthenticationFailedError) {
    return new CoordinatorAuthError(`etcd at ${where} refused the credentials: wrong user name or password`, e);
  }
  if (e instanceof EtcdPermissionDeniedError) {
    return new CoordinatorAuthError(`etcd at ${where} refused ${what}: the user has no permission on this key prefix`, e);
  }
  if (e instanceof GRPCUnauthenticatedError || e instanceof EtcdInvalidAuthTokenError) {
    return new CoordinatorAuthError(`etcd at ${where} refused the credentials (${message.replace(/^\d+ [A-Z_]+: /, '')})`, e);
  }
  if (TLS_REFUSAL.test(message)) {
    return new CoordinatorAuthError(`etcd at ${where} refused the TLS connection: client certificate missing or not trusted, or the server certificate is not trusted (${shortTlsReason(message)})`, e);
  }
  if (e instanceof GRPCUnavailableError || e instanceof GRPCDeadlineExceededError || e instanceof ClientClosedError || /circuit breaker|UNAVAILABLE|DEADLINE_EXCEEDED|ECONNREFUSED|ECONNRESET/i.test(message)) {
    return new CoordinatorUnavailableError(`etcd at ${where} is unreachable (${what}: ${shortReason(message)})`, e);
  }
  return e instanceof Error ? e : new Error(message);
}

function shortReason(message: string): string {
  const m = message.replace(/^\d+ [A-Z_]+: /, '');
  return m.length > 160 ? `${m.slice(0, 157)}...` : m;
}

function shortTlsReason(message: string): string {
  const m = /(alert [a-z ]+|certificate [a-z ]+|unable to verify[a-z ]+|self[- ]signed[a-z ]+|handshake[a-z ]+)/i.exec(message);
  return m ? m[1]!.trim() : shortReason(message);
}

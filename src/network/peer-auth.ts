import { createHash, timingSafeEqual } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { hostOfPeer } from './peer-address.js';

/** Metadata header that carries the network token on every call to a peer. Never logged. */
export const NETWORK_TOKEN_HEADER = 'x-ensemble-network-token';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison (digests first, so the length of the secret does not leak either). */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** What grpc-js tells about a call's TLS connection (set only when the client certificate verified). */
export interface CallAuthContext {
  readonly transportSecurityType?: string;
  readonly sslPeerCertificate?: PeerCertificate;
}

/** What the TCP listener demands of every call. */
export interface PeerAuthPolicy {
  /** The network token, or null when TLS client certificates alone authenticate. */
  readonly token: string | null;
  /** True when the listener uses mTLS: the client's certificate must be signed by the network CA. */
  readonly tls: boolean;
}

/**
 * Why a call must be refused, or null when it may proceed. The reason names
 * what was wrong, never the secret.
 */
export function refusalReason(policy: PeerAuthPolicy, metadata: grpc.Metadata, auth: CallAuthContext | null): string | null {
  if (policy.tls && (auth?.transportSecurityType !== 'ssl' || !auth.sslPeerCertificate)) {
    return 'no client certificate signed by the network CA';
  }
  if (policy.token !== null) {
    const sent = metadata.get(NETWORK_TOKEN_HEADER)[0];
    if (typeof sent !== 'string' || sent === '') return `no network token (the "${NETWORK_TOKEN_HEADER}" header)`;
    if (!tokensEqual(sent, policy.token)) return 'wrong network token';
  }
  return null;
}

/**
 * A server interceptor that refuses (UNAUTHENTICATED) every call that fails
 * {@link refusalReason}, before any handler runs, and reports it. A call that
 * passes tells `onAuthenticated` its connection (the listener's gate then lets
 * that connection stay past the handshake deadline).
 */
export function peerAuthInterceptor(
  policy: PeerAuthPolicy,
  onRefused: (peer: string, method: string, reason: string) => void,
  onAuthenticated: (connection: { readonly remoteAddress?: string; readonly remotePort?: number }) => void = () => {},
): grpc.ServerInterceptor {
  return (method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            let reason: string | null;
            try {
              reason = refusalReason(policy, metadata, call.getAuthContext());
            } catch {
              reason = 'cannot check the caller';
            }
            if (reason === null) {
              try {
                onAuthenticated(call.getConnectionInfo());
              } catch {
                // Bookkeeping of the connection gate must not fail the call.
              }
              nextMetadata(metadata);
              return;
            }
            onRefused(call.getPeer(), method.path, reason);
            call.sendStatus({ code: grpc.status.UNAUTHENTICATED, details: `refused: ${reason}` });
          },
        }),
    });
}

/**
 * Logs refused calls at most once a minute per caller host and reason (a
 * misbehaving peer must not flood the log), counting the ones left out.
 */
export class RefusalLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: (fields: Record<string, unknown>, message: string) => void,
    private readonly intervalMs = 60_000,
  ) {}

  refused(peer: string, method: string, reason: string): void {
    const host = hostOfPeer(peer) ?? peer;
    const key = `${host}\u0000${reason}`;
    const now = Date.now();
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    if (this.last.size > 1000) this.last.clear();
    this.last.set(key, { at: now, suppressed: 0 });
    this.log({ peer: host, method, reason, ...(entry?.suppressed ? { suppressed: entry.suppressed } : {}) }, `refused a network call from ${host}: ${reason}`);
  }
}

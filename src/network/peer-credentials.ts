import * as grpc from '@grpc/grpc-js';
import type { NetworkConfig } from './network-config.js';

/**
 * TLS server credentials that ask for a client certificate without failing
 * the handshake when it is missing or not signed by the CA: the call then
 * arrives without an authenticated TLS context and the auth interceptor
 * refuses it with UNAUTHENTICATED and logs why (grpc-js gives the
 * application no way to see a failed handshake).
 */
class DeferredClientCheckCredentials extends grpc.ServerCredentials {
  constructor(tls: NonNullable<NetworkConfig['tls']>) {
    super({ requestCert: true, rejectUnauthorized: false }, { ca: tls.ca, cert: tls.cert, key: tls.key });
  }

  override _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

/** Credentials of the TCP listener: TLS with client certificates when configured, else plaintext (token only). */
export function serverCredentials(config: NetworkConfig): grpc.ServerCredentials {
  return config.tls ? new DeferredClientCheckCredentials(config.tls) : grpc.ServerCredentials.createInsecure();
}

/**
 * Credentials to call a peer. With TLS the peer's certificate must be signed
 * by the network CA; its host name is not checked (peers are dialled by IP
 * address; membership of the network is what the CA signature proves, as
 * with Nomad's and Consul's default `verify_server_hostname = false`).
 */
export function channelCredentials(config: Pick<NetworkConfig, 'tls'>): grpc.ChannelCredentials {
  if (!config.tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(config.tls.ca, config.tls.key, config.tls.cert, { checkServerIdentity: () => undefined });
}

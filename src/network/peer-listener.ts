import * as grpc from '@grpc/grpc-js';
import { discoveryHandlers } from '../api/discovery-service.js';
import { HealthStatus } from '../api/health-service.js';
import { loadProtos } from '../api/protos.js';
import { addReflection } from '../api/server-reflection.js';
import type { ServiceRegistry } from '../api/service-registry.js';
import { StateError } from '../errors.js';
import type { SupervisorControl } from '../supervisor/control.js';
import type { Federation } from './federation.js';
import { peerAuthInterceptor } from './peer-auth.js';
import { formatHostPort } from './peer-address.js';
import { serverCredentials } from './peer-credentials.js';
import { peerHandlers } from './peer-service.js';

/** Options of {@link startPeerListener}. */
export interface PeerListenerOptions {
  readonly federation: Federation;
  readonly control: SupervisorControl;
  /** The federated registry (Discovery reads on TCP see the whole network, as locally). */
  readonly registry: ServiceRegistry;
  /** Called for every refused call (no secret in the arguments). */
  readonly onRefused: (peer: string, method: string, reason: string) => void;
}

/** The running TCP listener. */
export interface PeerListener {
  /** The port bound (the one asked for, or the kernel's choice for port 0). */
  readonly port: number;
  stop(): Promise<void>;
}

/** Grace for open streams (forwarded logs) before the listener cancels them on stop. */
const STOP_GRACE_MS = 1000;

/**
 * The supervisor's TCP listener: `ensemble.network.v1.Peer`, Discovery and
 * grpc.health.v1 (and server reflection of exactly those), every call behind
 * the network token / mTLS check. The
 * Supervisor service (AddUnit, Reload, Shutdown) stays on the local socket.
 */
export async function startPeerListener(options: PeerListenerOptions): Promise<PeerListener> {
  const { federation, control, registry } = options;
  const config = federation.config;
  const protos = loadProtos();
  const server = new grpc.Server({
    interceptors: [peerAuthInterceptor({ token: config.token, tls: config.tls !== null }, options.onRefused)],
    'grpc.max_receive_message_length': 32 * 1024 * 1024,
    'grpc.max_concurrent_streams': 256,
  });
  server.addService(protos.Peer.service, peerHandlers(federation, control));
  // Register/Unregister need a local unit's token, which no caller on TCP has.
  server.addService(protos.Discovery.service, discoveryHandlers({ registry, unitForToken: () => null }));
  const health = new HealthStatus({ '': 'SERVING', 'ensemble.network.v1.Peer': 'SERVING', 'ensemble.discovery.v1.Discovery': 'SERVING' });
  server.addService(protos.Health.service, health.handlers());
  addReflection(server, [protos.Peer.service, protos.Discovery.service, protos.Health.service], () => protos.fileDescriptors);
  const address = formatHostPort(config.listen);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, serverCredentials(config), (err, p) => (err ? reject(new StateError(`network: cannot listen on ${address}: ${err.message}`)) : resolve(p))),
  );
  let stopped: Promise<void> | null = null;
  return {
    port,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        health.setAll('NOT_SERVING');
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, STOP_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      })),
  };
}

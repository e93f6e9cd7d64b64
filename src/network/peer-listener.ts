import { createServer, type AddressInfo, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { discoveryHandlers } from '../api/discovery-service.js';
import { HealthStatus } from '../wire/health-service.js';
import { loadProtos } from '../wire/protos.js';
import { stopServer } from '../wire/server-stop.js';
import { addReflection } from '../wire/server-reflection.js';
import type { ServiceRegistry } from '../api/service-registry.js';
import { StateError } from '../common/errors.js';
import type { SupervisorControl } from '../supervisor/lifecycle/control.js';
import { fdLimits } from '../supervisor/process/fd-limit.js';
import { ConnectionGate, connectionLimitsFor, type ConnectionLimits, type GateRefusal, type GateStats } from './connection-gate.js';
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
  /** Caps and handshake deadline of raw connections (default: {@link connectionLimitsFor} the process's fd limit). */
  readonly limits?: ConnectionLimits;
  /** Called for every connection the gate closed (cap reached, handshake timeout). */
  readonly onConnectionClosed?: (peer: string, why: GateRefusal) => void;
}

/** The running TCP listener. */
export interface PeerListener {
  /** The port bound (the one asked for, or the kernel's choice for port 0). */
  readonly port: number;
  /** The limits in force. */
  readonly limits: ConnectionLimits;
  /** Connections open, not yet authenticated, refused and timed out. */
  stats(): GateStats;
  stop(): Promise<void>;
}

/** Grace for open streams (forwarded logs) before the listener cancels them on stop. */
const STOP_GRACE_MS = 1000;
/** An authenticated connection without calls for this long is closed (peers reconnect on demand). */
const MAX_CONNECTION_IDLE_MS = 5 * 60_000;

/**
 * The supervisor's TCP listener: `ensemble.network.v1.Peer`, Discovery and
 * grpc.health.v1 (and server reflection of exactly those), every call behind
 * the network token / mTLS check. The
 * Supervisor service (AddUnit, Reload, Shutdown) stays on the local socket.
 *
 * The listener is a plain `net.Server` in front of grpc-js (its documented
 * `createConnectionInjector`), so every raw connection passes a
 * {@link ConnectionGate} first: at most `maxConnections` open and
 * `maxUnauthenticated` not yet authenticated (more are closed on accept), and
 * a connection that has not completed an authenticated call within
 * `handshakeTimeoutMs` (HTTP/2 preface, TLS handshake, a call with the right
 * token or certificate) is closed. Authenticated connections stay, closed by
 * grpc-js after {@link MAX_CONNECTION_IDLE_MS} without calls; keepalive pings
 * find dead peers.
 */
export async function startPeerListener(options: PeerListenerOptions): Promise<PeerListener> {
  const { federation, control, registry } = options;
  const config = federation.config;
  const protos = loadProtos();
  const limits = options.limits ?? connectionLimitsFor(fdLimits().soft);
  const gate = new ConnectionGate(limits, (socket, why) => options.onConnectionClosed?.(formatPeer(socket), why));
  const server = new grpc.Server({
    interceptors: [
      peerAuthInterceptor({ token: config.token, tls: config.tls !== null }, options.onRefused, (info) => gate.authenticated(info.remoteAddress, info.remotePort)),
    ],
    'grpc.max_receive_message_length': 32 * 1024 * 1024,
    'grpc.max_concurrent_streams': 256,
    'grpc.max_connection_idle_ms': MAX_CONNECTION_IDLE_MS,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
  });
  server.addService(protos.Peer.service, peerHandlers(federation, control));
  // Register/Unregister need a local unit's token, which no caller on TCP has.
  server.addService(protos.Discovery.service, discoveryHandlers({ registry, unitForToken: () => null }));
  const health = new HealthStatus({ '': 'SERVING', 'ensemble.network.v1.Peer': 'SERVING', 'ensemble.discovery.v1.Discovery': 'SERVING' });
  server.addService(protos.Health.service, health.handlers());
  addReflection(server, [protos.Peer.service, protos.Discovery.service, protos.Health.service], () => protos.fileDescriptors);
  const address = formatHostPort(config.listen);
  const injector = server.createConnectionInjector(serverCredentials(config));
  const tcp = createServer({ pauseOnConnect: false, noDelay: true }, (socket) => {
    if (gate.admit(socket)) injector.injectConnection(socket);
  });
  // Accept errors (EMFILE) must not take the supervisor down; libuv keeps accepting.
  tcp.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    const onError = (err: Error): void => reject(new StateError(`network: cannot listen on ${address}: ${err.message}`));
    tcp.once('error', onError);
    tcp.listen({ host: config.listen.host === '' ? undefined : config.listen.host, port: config.listen.port }, () => {
      tcp.off('error', onError);
      resolve((tcp.address() as AddressInfo).port);
    });
  });
  let stopped: Promise<void> | null = null;
  return {
    port,
    limits,
    stats: () => gate.stats(),
    stop: () =>
      (stopped ??= (async () => {
        health.setAll('NOT_SERVING');
        tcp.close();
        injector.drain(STOP_GRACE_MS);
        await stopServer(server, STOP_GRACE_MS);
        injector.destroy();
        gate.destroyAll();
      })()),
  };
}

function formatPeer(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}

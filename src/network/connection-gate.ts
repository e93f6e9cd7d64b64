import type { Socket } from 'node:net';

/** Bounds of the TCP listener against idle, unauthenticated or too many connections. */
export interface ConnectionLimits {
  /**
   * A connection must complete an authenticated call (HTTP/2 preface, TLS
   * handshake, a call whose token or certificate checks out) within this
   * time, or it is closed.
   */
  readonly handshakeTimeoutMs: number;
  /** Connections at once that have not authenticated yet; more are closed on accept. */
  readonly maxUnauthenticated: number;
  /** Connections at once on the listener; more are closed on accept. */
  readonly maxConnections: number;
}

/** Defaults: 5 s to authenticate (sshd's LoginGraceTime idea, much shorter), 128 pending (sshd's MaxStartups spirit), 1,024 in all. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { handshakeTimeoutMs: 5000, maxUnauthenticated: 128, maxConnections: 1024 };

/** Descriptors kept for everything else (units' pipes, the local socket, log files) when the listener's cap is derived from RLIMIT_NOFILE. */
const RESERVED_FDS = 256;

/**
 * {@link DEFAULT_CONNECTION_LIMITS} bounded by the descriptors the process
 * may open: the listener never takes more than half of what is left after a
 * reserve, so a flood on TCP cannot starve the local API of descriptors.
 */
export function connectionLimitsFor(fdSoftLimit: number | null, base: ConnectionLimits = DEFAULT_CONNECTION_LIMITS): ConnectionLimits {
  if (fdSoftLimit === null || !Number.isFinite(fdSoftLimit)) return base;
  const maxConnections = Math.max(16, Math.min(base.maxConnections, Math.floor((fdSoftLimit - RESERVED_FDS) / 2)));
  return { ...base, maxConnections, maxUnauthenticated: Math.max(4, Math.min(base.maxUnauthenticated, Math.floor(maxConnections / 2))) };
}

/** Why a connection was closed by the gate. */
export type GateRefusal = 'handshake timeout' | 'too many unauthenticated connections' | 'too many connections';

/** Counters of a {@link ConnectionGate}. */
export interface GateStats {
  readonly open: number;
  readonly unauthenticated: number;
  /** Closed on accept because a cap was reached. */
  readonly refused: number;
  /** Closed because they did not authenticate in time. */
  readonly timedOut: number;
}

interface Tracked {
  readonly socket: Socket;
  timer: NodeJS.Timeout | null;
}

/**
 * Admission of raw TCP connections before grpc-js sees them: caps on open and
 * on not-yet-authenticated connections, and a handshake deadline. The auth
 * interceptor calls {@link ConnectionGate.authenticated} with the remote
 * address and port of a call that passed, which lifts the deadline for that
 * connection.
 */
export class ConnectionGate {
  private readonly byPeer = new Map<string, Tracked>();
  private unauth = 0;
  private refusedCount = 0;
  private timedOutCount = 0;

  constructor(
    readonly limits: ConnectionLimits,
    private readonly onClosed: (socket: Socket, why: GateRefusal) => void = () => {},
  ) {}

  /** Admit `socket` (true) or close it at once (false). */
  admit(socket: Socket): boolean {
    const why: GateRefusal | null =
      this.byPeer.size >= this.limits.maxConnections ? 'too many connections' : this.unauth >= this.limits.maxUnauthenticated ? 'too many unauthenticated connections' : null;
    const key = peerKey(socket.remoteAddress, socket.remotePort);
    if (why !== null || key === null) {
      this.refusedCount++;
      socket.destroy();
      this.onClosed(socket, why ?? 'too many connections');
      return false;
    }
    const entry: Tracked = { socket, timer: null };
    // On timeout: reset (RST), not destroy(): once grpc-js's HTTP/2 session holds the socket,
    // destroy() leaves the descriptor open until the session lets go of it.
    entry.timer = setTimeout(() => {
      entry.timer = null;
      this.unauth--;
      this.timedOutCount++;
      socket.resetAndDestroy();
      this.onClosed(socket, 'handshake timeout');
    }, this.limits.handshakeTimeoutMs);
    entry.timer.unref();
    this.unauth++;
    this.byPeer.set(key, entry);
    socket.once('close', () => {
      if (this.byPeer.get(key) !== entry) return;
      this.byPeer.delete(key);
      if (entry.timer) {
        clearTimeout(entry.timer);
        entry.timer = null;
        this.unauth--;
      }
    });
    return true;
  }

  /** A call from `address:port` authenticated: its connection may stay. */
  authenticated(address: string | undefined, port: number | undefined): void {
    const key = peerKey(address, port);
    const entry = key === null ? undefined : this.byPeer.get(key);
    if (entry?.timer) {
      clearTimeout(entry.timer);
      entry.timer = null;
      this.unauth--;
    }
  }

  stats(): GateStats {
    return { open: this.byPeer.size, unauthenticated: this.unauth, refused: this.refusedCount, timedOut: this.timedOutCount };
  }

  /** Close every connection (listener stop). */
  destroyAll(): void {
    for (const { socket } of [...this.byPeer.values()]) socket.resetAndDestroy();
  }
}

function peerKey(address: string | undefined, port: number | undefined): string | null {
  return address && port ? `${address}|${port}` : null;
}

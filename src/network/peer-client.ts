import * as grpc from '@grpc/grpc-js';
import { Caller } from '../wire/call.js';
import { clientsOnOneChannel } from '../wire/channel.js';
import { fromServiceError } from '../wire/grpc-status.js';
import { loadProtos } from '../wire/protos.js';
import type { StreamHandle } from '../wire/stream-handle.js';
import { isTransportFailure, transportReason } from '../wire/transport-error.js';
import type { LogLineMessage, UnitMessage } from '../api/supervisor-messages.js';
import { UnreachableError, type EnsembleError } from '../common/errors.js';
import { NETWORK_TOKEN_HEADER } from './peer-auth.js';
import { channelCredentials } from './peer-credentials.js';
import type { NetworkConfig } from './network-config.js';
import type { ExchangeRequestMessage, ExchangeResponseMessage } from './network-messages.js';

/** A peer that cannot be reached; `reason` is the transport's one-line cause. */
export class PeerUnreachableError extends UnreachableError {
  constructor(
    readonly node: string,
    readonly address: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`node ${node} at ${address} is unreachable: ${reason}`, cause);
  }
}

/** A running stream from a peer. */
export type PeerStream = StreamHandle;

/**
 * A client of one peer's `ensemble.network.v1.Peer` service: sends the
 * network token (and the TLS client certificate) on every call, maps errors
 * to EnsembleErrors (a transport failure is an UnreachableError naming the
 * node). Reconnection backoff is kept near the heartbeat so a peer that comes
 * back is seen within a heartbeat or two.
 */
export class PeerClient {
  private readonly client: grpc.Client;
  /** Every call carries the network token; deadlines are the caller's. */
  private readonly caller: Caller;

  constructor(
    readonly address: string,
    private readonly config: Pick<NetworkConfig, 'token' | 'tls' | 'heartbeatMs'>,
    private readonly label: () => string,
  ) {
    [this.client] = clientsOnOneChannel(address, [loadProtos().Peer], channelCredentials(config), {
      'grpc.initial_reconnect_backoff_ms': Math.min(1000, config.heartbeatMs),
      'grpc.max_reconnect_backoff_ms': Math.max(1000, 2 * config.heartbeatMs),
      'grpc.min_reconnect_backoff_ms': Math.min(1000, config.heartbeatMs),
      'grpc.max_receive_message_length': 32 * 1024 * 1024,
      'grpc.enable_retries': 0,
    });
    this.caller = new Caller({ deadlineMs: null, metadata: () => this.metadata(), mapError: (e) => this.error(e) });
  }

  exchange(request: ExchangeRequestMessage, deadlineMs: number): Promise<ExchangeResponseMessage> {
    return this.unary('Exchange', request, deadlineMs);
  }

  async listUnits(deadlineMs: number): Promise<{ node: string; units: UnitMessage[] }> {
    return this.unary('ListUnits', {}, deadlineMs);
  }

  async controlUnit(unit: string, action: string, deadlineMs: number | null): Promise<UnitMessage> {
    return (await this.unary<{ unit: UnitMessage }>('ControlUnit', { unit, action }, deadlineMs)).unit;
  }

  /** Log lines of the peer's `unit` ('' = every unit). */
  logs(request: { unit: string; tail?: number; follow: boolean }, onLine: (line: LogLineMessage) => void): PeerStream {
    return this.caller.follow<{ line?: LogLineMessage }>(this.client, 'Logs', request, (m) => {
      if (m.line) onLine(m.line);
    });
  }

  close(): void {
    this.client.close();
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.config.token !== null) md.set(NETWORK_TOKEN_HEADER, this.config.token);
    return md;
  }

  private error(e: grpc.ServiceError): EnsembleError {
    if (isTransportFailure(e, [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED])) return new PeerUnreachableError(this.label(), this.address, transportReason(e), e);
    return fromServiceError(e);
  }

  private unary<Res>(method: string, request: object, deadlineMs: number | null): Promise<Res> {
    return this.caller.unary<Res>(this.client, method, request, { deadlineMs });
  }
}

import * as grpc from '@grpc/grpc-js';
import type { ServiceMessage, ServiceRegistrationMessage, WatchResponseMessage } from '../wire/discovery-messages.js';
import { Caller } from '../wire/call.js';
import { clientsOnOneChannel } from '../wire/channel.js';
import { loadProtos } from '../wire/protos.js';
import { TOKEN_HEADER } from '../wire/headers.js';

/** Deadline of the SDK's unary calls to the supervisor. */
const CALL_DEADLINE_MS = 15_000;
/** Pause before a dropped watch stream is opened again. */
const REWATCH_DELAY_MS = 250;
/**
 * Reconnection backoff of the channel to the local supervisor (grpc-js
 * defaults: 1 s initial, 120 s max). A unit may start before the
 * supervisor's API socket exists: it should find the API within a fraction of
 * a second of its appearing, and a supervisor that is back after a restart
 * within seconds. Attempts on a Unix socket cost next to nothing.
 */
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 2000,
};

/**
 * A unit's connection to its supervisor: one channel for Discovery,
 * Supervisor and Health, every call carrying the unit's token. Turns gRPC
 * errors into EnsembleErrors with the server's one-line message.
 */
export class SupervisorLink {
  /** `ensemble.discovery.v1.Discovery` on the supervisor's API channel. */
  readonly discovery: grpc.Client;
  /** `ensemble.supervisor.v1.Supervisor` on the same channel. */
  readonly supervisor: grpc.Client;
  /** `grpc.health.v1.Health` of the supervisor, on the same channel (what SupervisorWatchdog watches). */
  readonly health: grpc.Client;
  private readonly changeListeners = new Map<(service: ServiceMessage | null) => void, true>();
  private watchCall: grpc.ClientReadableStream<WatchResponseMessage> | null = null;
  private closed = false;
  /**
   * False until a call reached the supervisor. Until then calls wait for the
   * channel to connect (`waitForReady`): units start while the supervisor
   * brings its API up, so the socket may not exist yet at a unit's first call.
   */
  private reached = false;
  private readonly caller: Caller;

  constructor(
    readonly address: string,
    private readonly token: string,
  ) {
    const { Discovery, Supervisor, Health } = loadProtos();
    [this.discovery, this.supervisor, this.health] = clientsOnOneChannel(address, [Discovery, Supervisor, Health], grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    this.caller = new Caller({
      deadlineMs: CALL_DEADLINE_MS,
      metadata: () => this.metadata(),
      // Any answer but "no connection" shows the supervisor was reached.
      onOutcome: (err) => {
        if (err === null || (err.code !== grpc.status.UNAVAILABLE && err.code !== grpc.status.DEADLINE_EXCEEDED)) this.reached = true;
      },
    });
  }

  /** Call metadata with the unit's token (and `waitForReady` until a call reached the supervisor). */
  metadata(): grpc.Metadata {
    const md = new grpc.Metadata(this.reached ? undefined : { waitForReady: true });
    md.set(TOKEN_HEADER, this.token);
    return md;
  }

  /** One unary call; rejects with an EnsembleError. */
  call<Res>(client: grpc.Client, method: string, request: object): Promise<Res> {
    return this.caller.unary<Res>(client, method, request);
  }

  /** Open the server stream `method` with the unit's metadata (no deadline). */
  stream<T>(client: grpc.Client, method: string, request: object): grpc.ClientReadableStream<T> {
    return this.caller.stream<T>(client, method, request);
  }

  /** Discovery `Find`: one service by name, then alias, then family. */
  find(name: string): Promise<ServiceMessage> {
    return this.call<{ service: ServiceMessage }>(this.discovery, 'Find', { name }).then((r) => r.service);
  }

  /** Discovery `FindAll`: every service of `family`, ready units first. */
  findAll(family: string): Promise<ServiceMessage[]> {
    return this.call<{ services: ServiceMessage[] }>(this.discovery, 'FindAll', { family }).then((r) => r.services);
  }

  /** Discovery `Register` in `unit`'s name (the token's unit); resolves what discovery stored. */
  register(unit: string, services: ServiceRegistrationMessage[]): Promise<ServiceMessage[]> {
    return this.call<{ services: ServiceMessage[] }>(this.discovery, 'Register', { unit, services }).then((r) => r.services);
  }

  /** Discovery `Unregister` of every service of `unit`. */
  unregister(unit: string): Promise<void> {
    return this.call(this.discovery, 'Unregister', { unit, names: [] }).then(() => undefined);
  }

  /** `IssueIdentity`: an assertion of this unit for `audience`. */
  issueIdentity(audience: string, ttlMs: number): Promise<{ assertion: string; expiresAtMs: number }> {
    return this.call(this.supervisor, 'IssueIdentity', { audience, ttlMs });
  }

  /** `VerifyIdentity`: the unit an assertion presented to `audience` proves. */
  verifyIdentity(assertion: string, audience: string): Promise<{ unit: string; instance: string; expiresAtMs: number }> {
    return this.call(this.supervisor, 'VerifyIdentity', { assertion, audience });
  }

  /** Supervisor `Ready`: `unit` is ready (readiness `notify`). */
  ready(unit: string): Promise<void> {
    return this.call(this.supervisor, 'Ready', { unit }).then(() => undefined);
  }

  /**
   * Every discovery change (`null` after the watch stream was re-opened,
   * meaning "anything may have changed"). One Watch stream is shared.
   */
  onDiscoveryChange(fn: (service: ServiceMessage | null) => void): () => void {
    this.changeListeners.set(fn, true);
    if (!this.watchCall) this.openWatch(false);
    return () => {
      this.changeListeners.delete(fn);
      if (this.changeListeners.size === 0 && this.watchCall) {
        const call = this.watchCall;
        this.watchCall = null;
        call.cancel();
      }
    };
  }

  private openWatch(reopened: boolean): void {
    if (this.closed) return;
    const call = this.stream<WatchResponseMessage>(this.discovery, 'Watch', { query: '' });
    this.watchCall = call;
    let synced = false;
    call.on('data', (msg: WatchResponseMessage) => {
      this.reached = true;
      if (msg.type === 'CHANGE_TYPE_SYNCED') {
        synced = true;
        if (reopened) this.emitChange(null);
        return;
      }
      if (synced && msg.service) this.emitChange(msg.service);
    });
    const retry = () => {
      if (this.watchCall !== call) return;
      this.watchCall = null;
      if (this.changeListeners.size === 0 || this.closed) return;
      setTimeout(() => {
        if (!this.watchCall && this.changeListeners.size > 0) this.openWatch(true);
      }, REWATCH_DELAY_MS).unref();
    };
    call.on('error', retry);
    call.on('end', retry);
  }

  private emitChange(service: ServiceMessage | null): void {
    for (const fn of [...this.changeListeners.keys()]) fn(service);
  }

  /** Close the channel and every stream. */
  close(): void {
    this.closed = true;
    this.watchCall?.cancel();
    this.watchCall = null;
    this.discovery.close();
  }
}

import * as grpc from '@grpc/grpc-js';
import type { ServiceMessage } from '../wire/discovery-messages.js';
import { StateError } from '../common/errors.js';
import { calledService, CallerIdentityVerifier, type CallerIdentity, type CallerIdentityOptions } from './caller-identity.js';
import { addDiscoverySource, DISCOVERY_SCHEME } from './discovery-resolver.js';
import { readUnitEnvironment, type UnitEnvironment } from './environment.js';
import { IdentityCredentials, type IdentityOptions } from './identity-credentials.js';
import { sdNotify } from './notify.js';
import { PropertiesWatch, type PropertiesHandler } from './properties-watch.js';
import { ResourceTable, type ResourceHandle, type ResourceOptions } from './resource-table.js';
import { EventsClient } from './events-client.js';
import { PeerResources } from './peer-resources.js';
import { loadProtos } from '../wire/protos.js';
import { stopServer } from '../wire/server-stop.js';
import { loadUnitProtos } from '../wire/unit-protos.js';
import { ShutdownHooks, type ShutdownHook } from './shutdown-hooks.js';
import { StoreClient } from './store-client.js';
import { SupervisorLink } from './supervisor-link.js';
import { SupervisorWatchdog } from './supervisor-watchdog.js';
import { bindUnitServer, fullServiceName, registrationsFor, type ServeOptions, type UnitServer } from './unit-server.js';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Environment to read the contract from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * How long the supervisor may stay unreachable before the unit exits by
   * itself (default 5000 ms). Watched once the unit serves or signals ready.
   */
  readonly supervisorGraceMs?: number;
}

/** The family the built-in store registers (`@ensemble/store`). */
export const STORE_FAMILY = 'ensemble.store.v1.Store';
/** The family the built-in events unit registers (`@ensemble/events`). */
export const EVENTS_FAMILY = 'ensemble.events.v1.Events';

/** Grace of open calls when a unit's server stops. */
const SERVER_STOP_GRACE_MS = 1000;

/** A client constructor such as proto-loader's `ServiceClientConstructor` or generated code's. */
export type ClientConstructor<C> = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => C;

/**
 * A unit's handle on its supervisor, made by {@link connect}. See docs/sdk.md.
 *
 * Lifecycle: `connect()` → `resource()`s → `serve()` → `ready()`; on SIGTERM
 * (or when the supervisor is lost) the shutdown hooks run, the server
 * unregisters and stops, and the process exits.
 */
export class Unit {
  /** This unit's name (`ENSEMBLE_UNIT`). */
  readonly name: string;
  /** This unit's writable directory (`ENSEMBLE_STATE_DIR`), or null. */
  readonly stateDir: string | null;
  /** The supervisor's API address (`ENSEMBLE_SUPERVISOR`). */
  readonly supervisorAddress: string;
  private readonly env: UnitEnvironment;
  private readonly link: SupervisorLink;
  private readonly resources = new ResourceTable();
  private readonly hooks = new ShutdownHooks();
  private readonly watchdog: SupervisorWatchdog;
  private readonly source: { options: grpc.ChannelOptions; remove: () => void };
  private readonly clients: grpc.Client[] = [];
  private server: UnitServer | null = null;
  private readonly liveProperties: PropertiesWatch;
  private readonly identities = new Map<string, IdentityCredentials>();
  private readonly callers: CallerIdentityVerifier;
  private readonly stores = new Map<string, StoreClient>();
  private readonly eventClients = new Map<string, EventsClient>();
  private readonly peers = new Map<string, PeerResources>();
  /** Proto service name → the discovery name it was registered under (the audience of its callers' assertions). */
  private readonly audiences = new Map<string, string>();

  constructor(options: ConnectOptions = {}) {
    this.env = readUnitEnvironment(options.env);
    this.name = this.env.unit;
    this.stateDir = this.env.stateDir;
    this.supervisorAddress = this.env.supervisor;
    this.link = new SupervisorLink(this.env.supervisor, this.env.token);
    this.source = addDiscoverySource({
      find: (name) => this.link.find(name),
      onChange: (name, fn) =>
        this.link.onDiscoveryChange((s) => {
          if (s === null || s.name === name || s.family === name || s.aliases.includes(name)) fn();
        }),
    });
    this.watchdog = new SupervisorWatchdog(this.link.health, options.supervisorGraceMs ?? 5000, () => {
      process.stderr.write(`ensemble sdk: unit "${this.name}" lost its supervisor at ${this.supervisorAddress}; exiting\n`);
      void this.hooks.run(1, 'supervisor lost');
    });
    this.liveProperties = new PropertiesWatch(this.link, this.name, { ...this.env.properties }, (e) => {
      process.stderr.write(`ensemble sdk: unit "${this.name}" could not apply new properties: ${e.message}; exiting so it restarts with them\n`);
      void this.hooks.run(1, 'properties handler failed');
    });
    this.callers = new CallerIdentityVerifier((assertion, audience) => this.link.verifyIdentity(assertion, audience));
    // Stopping the server and closing channels is the last shutdown step.
    this.hooks.add(() => this.close());
  }

  /**
   * The unit's properties (`ENSEMBLE_PROPERTIES`), typed by the caller; after
   * a live update ({@link onProperties}) the new ones.
   */
  properties<T = Record<string, unknown>>(): T {
    return this.liveProperties.properties as T;
  }

  /**
   * Live properties: run `handler(next, previous)` whenever a reload changes
   * this unit's properties, instead of being restarted for it (the process and
   * its pid stay). Updates are delivered one at a time, in order. A handler
   * that throws ends the unit (exit 1), so the supervisor restarts it with the
   * new properties. Register before `ready()`: `ready()` waits until the
   * supervisor knows this unit takes live properties. Returns the removal of
   * the handler (with no handler left, a property change restarts the unit).
   */
  onProperties<T = Record<string, unknown>>(handler: PropertiesHandler<T>): () => void {
    return this.liveProperties.add(handler as PropertiesHandler<Record<string, unknown>>);
  }

  /**
   * Serve a resource at `path` (shown by the file view as `units/<unit>/<path>`).
   * May be called before or after `serve()`.
   */
  resource(path: string, options: ResourceOptions): ResourceHandle {
    return this.resources.add(path, options);
  }

  /**
   * Start the unit's gRPC server (user services + grpc.health.v1 + the
   * unit's Resources) and register its services in discovery. Call once.
   */
  async serve(options: ServeOptions = {}): Promise<UnitServer> {
    if (this.server) throw new StateError(`unit "${this.name}" already serves at ${this.server.address}`);
    const { server, address, health } = await bindUnitServer(options, this.resources, this.stateDir, this.env.bindHost);
    let registered: ServiceMessage[];
    try {
      registered = await this.link.register(this.name, registrationsFor(this.name, address, options.services ?? []));
    } catch (e) {
      server.forceShutdown();
      throw e;
    }
    for (const s of options.services ?? []) {
      const proto = fullServiceName(s.service);
      if (!this.audiences.has(proto)) this.audiences.set(proto, s.name ?? this.name);
    }
    let stopping: Promise<void> | null = null;
    this.server = {
      address,
      server,
      registered,
      health,
      stop: () =>
        (stopping ??= (async () => {
          health.setAll('NOT_SERVING');
          await this.link.unregister(this.name).catch(() => undefined);
          await stopServer(server, SERVER_STOP_GRACE_MS);
        })()),
    };
    this.hooks.install();
    this.watchdog.start();
    return this.server;
  }

  /**
   * A client of the service `serviceName` (name, alias or family) that
   * follows it through discovery: when the service moves (its unit restarts
   * on a new port) the channel reconnects to the new address. While the
   * service is gone, calls fail with UNAVAILABLE (or wait, with `waitForReady`).
   */
  client<C extends grpc.Client>(serviceName: string, Ctor: ClientConstructor<C>, options: grpc.ChannelOptions = {}): C {
    const client = new Ctor(`${DISCOVERY_SCHEME}:///${serviceName}`, grpc.credentials.createInsecure(), { ...options, ...this.source.options });
    this.clients.push(client);
    return client;
  }

  /**
   * A typed client of the measures store (`ensemble.store.v1.Store`): by
   * default whichever unit serves the family, else the store registered as
   * `name`. Followed through discovery like {@link client}. One per name.
   */
  store(name: string = STORE_FAMILY): StoreClient {
    let store = this.stores.get(name);
    if (!store) {
      store = new StoreClient(this.client(name, loadUnitProtos().Store));
      this.stores.set(name, store);
    }
    return store;
  }

  /**
   * A typed client of the events unit (`ensemble.events.v1.Events`): by
   * default whichever unit serves the family, else the one registered as
   * `name`. On first use it finds the service and proves this unit's
   * identity to it with {@link identityFor} its discovery name. One per name.
   */
  events(name: string = EVENTS_FAMILY): EventsClient {
    let events = this.eventClients.get(name);
    if (!events) {
      events = new EventsClient(async () => {
        const found = await this.find(name);
        return this.client(found.name, loadUnitProtos().Events, { interceptors: [this.identityFor(found.name).interceptor] });
      });
      this.eventClients.set(name, events);
    }
    return events;
  }

  /**
   * The resources of the unit `unit` (what the file view shows as
   * `units/<unit>/…`): List, Read, Write and Watch of its
   * `ensemble.resources.v1.Resources`, registered as `<unit>.resources`.
   * Followed through discovery across the unit's restarts. One per unit.
   */
  resourcesOf(unit: string): PeerResources {
    let peer = this.peers.get(unit);
    if (!peer) {
      peer = new PeerResources(unit, this.client(`${unit}.resources`, loadProtos().Resources));
      this.peers.set(unit, peer);
    }
    return peer;
  }

  /**
   * This unit's identity for calls to the service `audience` (its discovery
   * name, e.g. "events"): assertions from the supervisor, cached and renewed
   * after half their lifetime, sent in `x-ensemble-identity` — never the
   * unit's ENSEMBLE_TOKEN. Use `interceptor` for a whole client
   * (`unit.client(name, Ctor, { interceptors: [id.interceptor] })`) or
   * `callCredentials` per call. One object per audience (and lifetime).
   */
  identityFor(audience: string, options: IdentityOptions = {}): IdentityCredentials {
    const key = `${audience}\n${options.ttlMs ?? 0}`;
    let id = this.identities.get(key);
    if (!id) {
      id = new IdentityCredentials(audience, (aud, ttlMs) => this.link.issueIdentity(aud, ttlMs), options);
      this.identities.set(key, id);
    }
    return id;
  }

  /**
   * The verified unit that made `call` (a server call of a service this unit
   * serves): the supervisor checks the assertion the caller sent in
   * `x-ensemble-identity` for this unit's audience — by default the discovery
   * name this unit registered the called service under. Verified assertions
   * are remembered until they expire. Rejects with a PermissionError
   * (`ENS_E_PERMISSION`, gRPC PERMISSION_DENIED when thrown from a handler) when
   * there is none, it is forged, for another audience, expired, or its unit
   * has restarted since.
   */
  callerIdentity(call: { metadata: grpc.Metadata; getPath?: () => string }, options: CallerIdentityOptions = {}): Promise<CallerIdentity> {
    const audience = options.audience ?? this.audiences.get(calledService(call)) ?? this.name;
    return this.callers.verify(call.metadata, audience);
  }

  /** Discovery: one service by name, then alias, then family (a ready unit's first). */
  find(name: string): Promise<ServiceMessage> {
    return this.link.find(name);
  }

  /** Discovery: every service of a family, ready units first. */
  findAll(family: string): Promise<ServiceMessage[]> {
    return this.link.findAll(family);
  }

  /**
   * Tell the supervisor this unit is ready (readiness `notify`). Uses the
   * Ready call; when that fails and NOTIFY_SOCKET is set, sends `READY=1` there.
   */
  async ready(): Promise<void> {
    await this.liveProperties.established;
    try {
      await this.link.ready(this.name);
    } catch (e) {
      if (!this.env.notifySocket) throw e;
      await sdNotify(this.env.notifySocket, 'READY=1');
    }
    this.hooks.install();
    this.watchdog.start();
  }

  /** Run `hook` when the unit is asked to stop (SIGTERM/SIGINT); hooks run last-added first, then the process exits. */
  onShutdown(hook: ShutdownHook): void {
    this.hooks.add(hook);
  }

  /** Stop the server (unregistering its services), the watchdog and every channel. The process may then exit. */
  async close(): Promise<void> {
    this.watchdog.stop();
    this.liveProperties.close();
    await this.server?.stop();
    for (const c of this.clients) c.close();
    this.source.remove();
    this.link.close();
  }
}

/** Read the environment contract and connect to the supervisor (lazily: no call is made yet). */
export function connect(options: ConnectOptions = {}): Unit {
  return new Unit(options);
}

import { rm } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import type { UnitSpec } from '../ensemble/plan.js';
import type { SupervisorControl } from '../supervisor/lifecycle/control.js';
import { discoveryHandlers } from './discovery-service.js';
import { HealthStatus } from '../wire/health-service.js';
import { derivedNameOwner } from './derived-service-names.js';
import { LocalServiceRegistry } from './local-service-registry.js';
import { loadProtos } from '../wire/protos.js';
import { addReflection } from '../wire/server-reflection.js';
import type { ServiceRegistry } from './service-registry.js';
import { supervisorHandlers } from './supervisor-service.js';
import { stopServer } from '../wire/server-stop.js';
import { bindUnixSocket } from '../wire/unix-socket-bind.js';

/** Where the API server writes what it does (a pino logger fits). */
export interface ApiLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  readonly control: SupervisorControl;
  /** Absolute path of the Unix socket (RuntimePaths.apiSocket). */
  readonly socketPath: string;
  /** Compile one runner in ensemble syntax (AddUnit); AddUnit answers UNIMPLEMENTED without it. */
  readonly compileUnit?: (runner: string) => Promise<UnitSpec> | UnitSpec;
  /** What Shutdown does once answered (default: control.shutdown()). */
  readonly onShutdownRequested?: () => void;
  readonly logger?: ApiLogger;
  /**
   * Extend the API once its local registry exists: a registry wrapping it
   * (e.g. the network's federated registry: local services first, then
   * peers'), which Discovery then serves, and more services on the same
   * socket (e.g. `ensemble.network.v1.Network`). Registrations and unit
   * changes still go to `local`.
   */
  readonly extend?: (local: LocalServiceRegistry) => ApiExtensionResult;
}

/** What an API extension adds. */
export interface ApiExtensionResult {
  readonly registry?: ServiceRegistry;
  readonly services?: readonly ApiService[];
}

/** A gRPC service added to the API socket by an extension. */
export interface ApiService {
  /** `Ctor.service` of a loaded client constructor. */
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
  /** Full service name reported by grpc.health.v1 (SERVING while the API runs). */
  readonly name: string;
}

/** A running API server. */
export interface ApiServer {
  /** `unix:` address clients use. */
  readonly address: string;
  /** What Discovery serves (the wrapped registry when `options.registry` is given). */
  readonly registry: ServiceRegistry;
  /** This supervisor's own registrations. */
  readonly localRegistry: LocalServiceRegistry;
  readonly health: HealthStatus;
  /** Stop serving: NOT_SERVING, cancel streams after a short grace, remove the socket. */
  stop(): Promise<void>;
}

/** Services reported by grpc.health.v1 on the supervisor ('' = the server). */
const HEALTH_SERVICES = ['', 'ensemble.supervisor.v1.Supervisor', 'ensemble.discovery.v1.Discovery'];

/** Grace for open streams (Logs -f, Watch) before the server cancels them on stop. */
const STOP_GRACE_MS = 1000;

/**
 * Start the supervisor's gRPC API on a Unix socket (mode 0600): Discovery,
 * Supervisor, grpc.health.v1 and server reflection. Wires discovery to the
 * supervisor: registrations follow unit changes, and health probes resolve a
 * unit's address through the registry.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { control, socketPath, logger } = options;
  const protos = loadProtos();
  const localRegistry = new LocalServiceRegistry(
    control.status().node,
    (unit) => {
      try {
        return control.getUnit(unit);
      } catch {
        return null;
      }
    },
    // Names derived from a unit's name belong to that unit, started or not (docs/discovery.md).
    { ownerOf: (service) => derivedNameOwner(service, control.plan) },
  );
  const unsubscribe = control.onUnitChange((status) => localRegistry.unitChanged(status));
  control.setAddressResolver((unit) => localRegistry.addressOf(unit));
  const extended = options.extend?.(localRegistry) ?? {};
  const registry = extended.registry ?? localRegistry;
  const extra = extended.services ?? [];
  const health = new HealthStatus(Object.fromEntries([...HEALTH_SERVICES, ...extra.map((e) => e.name)].map((s) => [s, 'SERVING' as const])));

  const server = new grpc.Server();
  const served: grpc.ServiceDefinition[] = [protos.Discovery.service, protos.Supervisor.service, ...extra.map((e) => e.definition), protos.Health.service];
  server.addService(protos.Discovery.service, discoveryHandlers({ registry, unitForToken: (t) => control.unitForToken(t) }));
  server.addService(
    protos.Supervisor.service,
    supervisorHandlers({ control, ...(options.compileUnit ? { compileUnit: options.compileUnit } : {}), ...(options.onShutdownRequested ? { onShutdownRequested: options.onShutdownRequested } : {}) }),
  );
  for (const e of extra) server.addService(e.definition, e.implementation);
  server.addService(protos.Health.service, health.handlers());
  addReflection(server, served, () => protos.fileDescriptors);
  try {
    await bindUnixSocket(server, socketPath);
  } catch (e) {
    unsubscribe();
    server.forceShutdown();
    throw e;
  }
  logger?.info(`API listening on unix:${socketPath}`);

  let stopped: Promise<void> | null = null;
  return {
    address: `unix:${socketPath}`,
    registry,
    localRegistry,
    health,
    stop: () =>
      (stopped ??= (async () => {
        health.setAll('NOT_SERVING');
        unsubscribe();
        await stopServer(server, STOP_GRACE_MS);
        await rm(socketPath, { force: true });
      })()),
  };
}

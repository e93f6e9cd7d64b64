import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { ServiceMessage, ServiceRegistrationMessage } from '../wire/discovery-messages.js';
import { HealthStatus } from '../wire/health-service.js';
import { loadProtos } from '../wire/protos.js';
import { bindServer } from '../wire/server-bind.js';
import { addReflection } from '../wire/server-reflection.js';
import { InvalidArgumentError } from '../common/errors.js';
import { advertisedHost } from './advertised-host.js';
import type { ResourceTable } from './resource-table.js';

/** One gRPC service a unit serves and registers in discovery. */
export interface ServedService {
  /** The service definition (`SomeClient.service` from proto-loader, or generated code). */
  readonly service: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
  /** Discovery name; default: the unit's name (give each service a name when a unit serves several). */
  readonly name?: string;
  readonly aliases?: readonly string[];
  /** Default: the proto service's full name, e.g. `demo.echo.v1.Echo`. */
  readonly family?: string;
  readonly friendlyName?: string;
}

/** Options of `unit.serve()`. */
export interface ServeOptions {
  readonly services?: readonly ServedService[];
  /**
   * `tcp` (default): `host` on a port the kernel picks.
   * `unix`: a socket `grpc.sock` in the unit's ENSEMBLE_STATE_DIR.
   */
  readonly transport?: 'tcp' | 'unix';
  /**
   * Host to bind (tcp). Default: `ENSEMBLE_BIND_HOST` when set, else
   * 127.0.0.1. Another address makes the unit reachable from elsewhere; a
   * wildcard (`0.0.0.0`, `::`) registers the machine's first non-internal address.
   */
  readonly host?: string;
}

/** A unit's running gRPC server. */
export interface UnitServer {
  /** The address registered in discovery: `127.0.0.1:40123` or `unix:/…/grpc.sock`. */
  readonly address: string;
  readonly server: grpc.Server;
  /** What discovery stored. */
  readonly registered: readonly ServiceMessage[];
  readonly health: HealthStatus;
  /** Unregister, report NOT_SERVING, and stop the server (open calls get a short grace). */
  stop(): Promise<void>;
}

/** Full proto name of a service definition, from its methods' paths (`/pkg.Svc/Method`). */
export function fullServiceName(def: grpc.ServiceDefinition): string {
  const first = Object.values(def)[0] as { path?: string } | undefined;
  const m = first?.path ? /^\/([^/]+)\//.exec(first.path) : null;
  return m?.[1] ?? '';
}

/** Discovery registrations for a unit's services plus its Resources service. */
export function registrationsFor(unit: string, address: string, services: readonly ServedService[]): ServiceRegistrationMessage[] {
  const regs: ServiceRegistrationMessage[] = services.map((s) => ({
    name: s.name ?? unit,
    aliases: [...(s.aliases ?? [])],
    family: s.family ?? fullServiceName(s.service),
    friendlyName: s.friendlyName ?? '',
    address,
  }));
  regs.push({ name: `${unit}.resources`, aliases: [], family: 'ensemble.resources.v1.Resources', friendlyName: `resources of ${unit}`, address });
  const names = new Set<string>();
  for (const r of regs) {
    if (names.has(r.name ?? '')) throw new InvalidArgumentError(`two services of unit "${unit}" would both be registered as "${r.name}": give each one a name`);
    names.add(r.name ?? '');
  }
  return regs;
}

/** Create the server (user services + grpc.health.v1 + Resources + server reflection of exactly those) and bind it. */
export async function bindUnitServer(
  options: ServeOptions,
  resources: ResourceTable,
  stateDir: string | null,
  defaultHost: string | null = null,
): Promise<{ server: grpc.Server; address: string; health: HealthStatus }> {
  const protos = loadProtos();
  const server = new grpc.Server();
  const health = new HealthStatus({ '': 'SERVING' });
  for (const s of options.services ?? []) {
    server.addService(s.service, s.implementation);
    health.set(fullServiceName(s.service), 'SERVING');
  }
  server.addService(protos.Health.service, health.handlers());
  server.addService(protos.Resources.service, resources.handlers());
  addReflection(server, [...(options.services ?? []).map((s) => s.service), protos.Health.service, protos.Resources.service], () => protos.fileDescriptors);
  const bind = (target: string): Promise<number> => bindServer(server, target);
  if (options.transport === 'unix') {
    if (!stateDir) throw new InvalidArgumentError('serve({ transport: "unix" }) needs ENSEMBLE_STATE_DIR');
    const path = join(stateDir, 'grpc.sock');
    await rm(path, { force: true });
    await bind(`unix:${path}`);
    return { server, address: `unix:${path}`, health };
  }
  const host = (options.host ?? defaultHost ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const port = await bind(`${bracket(host)}:0`);
  return { server, address: `${bracket(advertisedHost(host))}:${port}`, health };
}

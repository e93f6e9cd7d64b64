import { rm } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import {
  HealthStatus,
  loadProtos,
  PermissionError,
  serverStream,
  unary,
  type ServiceMessage,
  type ServiceRegistrationMessage,
  type SupervisorLink,
  type WatchResponseMessage,
} from '../../src/sdk/host.js';
import { bindServer } from '../../src/wire/server-bind.js';
import type { ChildState } from './child-state.js';

const RESOURCES_FAMILY = 'ensemble.resources.v1.Resources';

/** What the proxy reports to the host. */
export interface ChildProxyEvents {
  /** The child called Ready. */
  ready(child: ChildState): void;
}

/**
 * The supervisor as one hosted child sees it: a gRPC server on its own Unix
 * socket (so the caller is known by the socket it used) that forwards
 * discovery and identity assertions to the real supervisor in the host's
 * name, keeps the child's Resources registration for the host's aggregated
 * Resources service, and answers Ready and Health itself.
 */
export class ChildProxy {
  private constructor(
    private readonly server: grpc.Server,
    readonly address: string,
  ) {}

  /** Serve the proxy of `child` at `socketPath`. */
  static async start(socketPath: string, host: string, child: ChildState, link: SupervisorLink, events: ChildProxyEvents): Promise<ChildProxy> {
    const protos = loadProtos();
    const server = new grpc.Server();
    const touch = () => {
      child.connected = true;
    };
    const mine = (unit: string) => {
      if (unit !== '' && unit !== child.name) throw new PermissionError(`hosted unit "${child.name}" cannot act as "${unit}"`);
    };
    server.addService(protos.Discovery.service, {
      Register: unary(async (req: { unit: string; services: ServiceRegistrationMessage[] }) => {
        touch();
        mine(req.unit);
        const forwarded: ServiceRegistrationMessage[] = [];
        for (const s of req.services) {
          if (s.family === RESOURCES_FAMILY && s.name === `${child.name}.resources`) child.resourcesAddress = s.address ?? null;
          else forwarded.push(s);
        }
        const stored = forwarded.length > 0 ? await link.register(host, forwarded) : [];
        for (const s of stored) child.services.add(s.name);
        return { services: stored };
      }),
      Unregister: unary(async (req: { unit: string; names: string[] }) => {
        touch();
        mine(req.unit);
        const names = req.names.length > 0 ? req.names.filter((n) => child.services.has(n)) : [...child.services];
        child.resourcesAddress = req.names.length === 0 || req.names.includes(`${child.name}.resources`) ? null : child.resourcesAddress;
        if (names.length === 0) return { services: [] };
        const res = await link.call<{ services: ServiceMessage[] }>(link.discovery, 'Unregister', { unit: host, names });
        for (const n of names) child.services.delete(n);
        return res;
      }),
      Find: unary((req: object) => link.call(link.discovery, 'Find', req)),
      FindAll: unary((req: object) => link.call(link.discovery, 'FindAll', req)),
      List: unary((req: object) => link.call(link.discovery, 'List', req)),
      Watch: serverStream((req: object, call: grpc.ServerWritableStream<unknown, WatchResponseMessage>) => {
        const upstream = link.stream<WatchResponseMessage>(link.discovery, 'Watch', req);
        upstream.on('data', (m: WatchResponseMessage) => call.write(m));
        upstream.on('error', (e: grpc.ServiceError) => {
        if (e.code !== grpc.status.CANCELLED) call.emit('error', { code: e.code, details: e.details || e.message });
      });
        upstream.on('end', () => call.end());
        return () => upstream.cancel();
      }),
    });
    server.addService(protos.Supervisor.service, {
      Ready: unary((req: { unit: string }) => {
        touch();
        mine(req.unit);
        events.ready(child);
        return {};
      }),
      // Identity assertions are issued in the host's name: hosted children share the
      // host's process and register their services in its name too.
      IssueIdentity: unary((req: { audience: string; ttlMs?: number | string }) => {
        touch();
        return link.issueIdentity(req.audience, Number(req.ttlMs ?? 0));
      }),
      VerifyIdentity: unary((req: { assertion: string; audience: string }) => link.verifyIdentity(req.assertion, req.audience)),
    });
    server.addService(protos.Health.service, new HealthStatus({ '': 'SERVING' }).handlers());
    await rm(socketPath, { force: true });
    const address = `unix:${socketPath}`;
    await bindServer(server, address);
    return new ChildProxy(server, address);
  }

  /** Stop serving the child (open streams end). */
  stop(): void {
    this.server.forceShutdown();
  }
}

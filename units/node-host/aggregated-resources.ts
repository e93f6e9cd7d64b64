import * as grpc from '@grpc/grpc-js';
import { GrpcStatusError, loadProtos, serverStream, unary } from '../../src/sdk/host.js';
import { Caller } from '../../src/wire/call.js';
import { fromServiceError, sentErrorCode } from '../../src/wire/grpc-status.js';
import type { ChildState } from './child-state.js';

/** The host's own resource directory (a child may not be named like it). */
export const HOST_DIR = 'children';

interface ResourceInfo {
  path: string;
  readable: boolean;
  writable: boolean;
  watchable: boolean;
  description: string;
}

/**
 * Calls forwarded to a child: its answer within 5 s; its error answered as
 * it came (the child's own Ensemble code kept, else its status).
 */
const FORWARD = new Caller({ deadlineMs: 5000, mapError: (e) => (sentErrorCode(e) ? fromServiceError(e) : new GrpcStatusError(e.code, e.details || e.message)) });

/**
 * The node host's `ensemble.resources.v1.Resources`: `children/<child>/state`
 * and `children/<child>/error` of the host itself, and every resource of
 * every child under `<child>/` (calls forwarded to the child's own Resources
 * server, so the file view shows `units/<host>/<child>/<path>`).
 */
export function aggregatedResources(children: ReadonlyMap<string, ChildState>): grpc.UntypedServiceImplementation {
  const { Resources } = loadProtos();
  const clients = new Map<string, { address: string; client: grpc.Client }>();
  const clientOf = (child: ChildState): grpc.Client | null => {
    if (!child.resourcesAddress) return null;
    const held = clients.get(child.name);
    if (held?.address === child.resourcesAddress) return held.client;
    held?.client.close();
    const client = new Resources(child.resourcesAddress, grpc.credentials.createInsecure());
    clients.set(child.name, { address: child.resourcesAddress, client });
    return client;
  };
  const forward = <T>(client: grpc.Client, method: string, req: object): Promise<T> => FORWARD.unary<T>(client, method, req);
  const route = (path: string): { child: ChildState; rest: string; client: grpc.Client } | null => {
    const slash = path.indexOf('/');
    const child = slash > 0 ? children.get(path.slice(0, slash)) : undefined;
    if (!child) return null;
    const client = clientOf(child);
    if (!client) throw new GrpcStatusError(grpc.status.NOT_FOUND, `hosted unit "${child.name}" serves no resources`);
    return { child, rest: path.slice(slash + 1), client };
  };
  const own = (path: string): string | null => {
    const m = /^children\/([^/]+)\/(state|error)$/.exec(path);
    const child = m ? children.get(m[1] as string) : undefined;
    if (!m || !child) return null;
    return m[2] === 'state' ? child.phase : child.error;
  };
  return {
    List: unary(async () => {
      const out: ResourceInfo[] = [];
      for (const child of children.values()) {
        out.push({ path: `${HOST_DIR}/${child.name}/state`, readable: true, writable: false, watchable: false, description: `state of hosted unit ${child.name}` });
        out.push({ path: `${HOST_DIR}/${child.name}/error`, readable: true, writable: false, watchable: false, description: `last failure of hosted unit ${child.name}` });
        const client = child.phase === 'failed' ? null : clientOf(child);
        if (!client) continue;
        const listed = await forward<{ resources: ResourceInfo[] }>(client, 'List', {}).catch(() => ({ resources: [] }));
        for (const r of listed.resources) out.push({ ...r, path: `${child.name}/${r.path}` });
      }
      return { resources: out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
    }),
    Read: unary(async (req: { path: string }) => {
      const value = own(req.path);
      if (value !== null) return { value };
      const r = route(req.path);
      if (!r) throw new GrpcStatusError(grpc.status.NOT_FOUND, `no resource "${req.path}"`);
      return forward(r.client, 'Read', { path: r.rest });
    }),
    Write: unary(async (req: { path: string; value: string }) => {
      if (own(req.path) !== null) throw new GrpcStatusError(grpc.status.PERMISSION_DENIED, `resource "${req.path}" is read-only`);
      const r = route(req.path);
      if (!r) throw new GrpcStatusError(grpc.status.NOT_FOUND, `no resource "${req.path}"`);
      return forward(r.client, 'Write', { path: r.rest, value: req.value });
    }),
    Watch: serverStream((req: { path: string }, call: grpc.ServerWritableStream<unknown, { path: string; value: string; timeMs: number }>) => {
      const r = route(req.path);
      if (!r) throw new GrpcStatusError(grpc.status.NOT_FOUND, `no watchable resource "${req.path}"`);
      const upstream = FORWARD.stream<{ value: string; timeMs: number }>(r.client, 'Watch', { path: r.rest });
      upstream.on('data', (m: { value: string; timeMs: number }) => call.write({ path: req.path, value: m.value, timeMs: m.timeMs }));
      upstream.on('error', (e: grpc.ServiceError) => {
        if (e.code !== grpc.status.CANCELLED) call.emit('error', { code: e.code, details: e.details || e.message });
      });
      upstream.on('end', () => call.end());
      return () => upstream.cancel();
    }),
  };
}

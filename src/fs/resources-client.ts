import * as grpc from '@grpc/grpc-js';
import { Caller } from '../wire/call.js';
import { clientsOnOneChannel } from '../wire/channel.js';
import { errnoForCode } from '../wire/errno-table.js';
import { codeForStatus, isServiceError, sentErrorCode } from '../wire/grpc-status.js';
import { loadProtos } from '../wire/protos.js';
import { FileViewError } from './errno.js';
import { CompositeResourceClient, resourceMounts, type ServiceLike } from './resource-mounts.js';
import type { ResourceClient, ResourceInfo } from './tree-backend.js';

/**
 * A FileViewError for a failed call to a unit's Resources service. The code
 * a unit sent (an SDK unit's EnsembleError) is kept and chooses the errno;
 * otherwise the status does, through the one status → code → errno table.
 * A unit that answered nothing the tables know is unreachable (EIO).
 */
export function resourceError(where: string, e: grpc.ServiceError): FileViewError {
  const detail = e.details || e.message;
  const sent = sentErrorCode(e);
  if (sent) return new FileViewError(errnoForCode(sent), `${where}: ${detail}`, { code: sent, cause: e });
  const byStatus = codeForStatus(e.code);
  const errno = byStatus ? errnoForCode(byStatus) : 'EIO';
  if (errno === 'EIO') return new FileViewError('EIO', `${where}: unit unreachable (${grpc.status[e.code] ?? e.code}: ${detail})`, { cause: e });
  return new FileViewError(errno, `${where}: ${detail}`, { cause: e });
}

/**
 * A client of one unit's `ensemble.resources.v1.Resources` service. Every
 * unary call has a deadline: a slow or dead unit answers EIO
 * (ENS_E_UNIT_UNREACHABLE) instead of hanging the caller.
 */
export class GrpcResourceClient implements ResourceClient {
  private readonly client: grpc.Client;
  private readonly caller: Caller;

  constructor(
    readonly unit: string,
    readonly address: string,
    deadlineMs: number,
  ) {
    [this.client] = clientsOnOneChannel(address, [loadProtos().Resources]);
    // Errors stay gRPC errors here: resourceError maps them with the path they concern.
    this.caller = new Caller({ deadlineMs, mapError: (e) => e });
  }

  list(): Promise<ResourceInfo[]> {
    return this.unary<{ resources: ResourceInfo[] }>(`units/${this.unit}`, 'List', {}).then((r) => r.resources);
  }

  read(path: string): Promise<string> {
    return this.unary<{ value: string }>(`units/${this.unit}/${path}`, 'Read', { path }).then((r) => r.value);
  }

  async write(path: string, value: string): Promise<void> {
    await this.unary(`units/${this.unit}/${path}`, 'Write', { path, value });
  }

  watch(path: string, onValue: (value: string) => void, onError: (e: unknown) => void): () => void {
    const call = this.caller.stream<{ value: string }>(this.client, 'Watch', { path });
    let cancelled = false;
    call.on('data', (m: { value: string }) => {
      if (!cancelled) onValue(m.value);
    });
    call.on('error', (e: grpc.ServiceError) => {
      if (!cancelled) onError(resourceError(`units/${this.unit}/${path}`, e));
    });
    call.on('end', () => {
      if (!cancelled) onError(new FileViewError('EIO', `units/${this.unit}/${path}: the unit ended the watch`));
    });
    return () => {
      cancelled = true;
      call.cancel();
    };
  }

  /** Close the channel. */
  close(): void {
    this.client.close();
  }

  private unary<T>(where: string, method: string, request: object): Promise<T> {
    return this.caller.unary<T>(this.client, method, request).catch((e: unknown) => {
      throw isServiceError(e) ? resourceError(where, e) : e;
    });
  }
}

/**
 * Clients of units' Resources services, one per registered service and
 * address: a unit that re-registers at a new address (after a restart) gets
 * a new channel.
 */
export class ResourceClientPool {
  private readonly clients = new Map<string, GrpcResourceClient>();

  constructor(private readonly deadlineMs: number) {}

  /** The client for the service `name` of `unit` at `address`. */
  get(unit: string, name: string, address: string): GrpcResourceClient {
    const held = this.clients.get(name);
    if (held && held.address === address) return held;
    held?.close();
    const client = new GrpcResourceClient(unit, address, this.deadlineMs);
    this.clients.set(name, client);
    return client;
  }

  /** One client for every Resources service of `unit` (null when it has none). */
  forUnit(unit: string, services: readonly ServiceLike[]): ResourceClient | null {
    const mounts = resourceMounts(services, unit);
    if (mounts.length === 0) return null;
    const parts = mounts.map((m) => ({ prefix: m.prefix, client: this.get(unit, m.name, m.address) }));
    return parts.length === 1 && parts[0]?.prefix === '' ? parts[0].client : new CompositeResourceClient(parts);
  }

  /** Close every channel. */
  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

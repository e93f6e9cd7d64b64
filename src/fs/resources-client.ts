import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../wire/protos.js';
import { FileViewError, type FsErrno } from './errno.js';
import { CompositeResourceClient, resourceMounts, type ServiceLike } from './resource-mounts.js';
import type { ResourceClient, ResourceInfo } from './tree-backend.js';

type Unary<Req, Res> = (req: Req, options: grpc.CallOptions, cb: (e: grpc.ServiceError | null, res?: Res) => void) => grpc.ClientUnaryCall;
interface ResourcesStub extends grpc.Client {
  List: Unary<Record<string, never>, { resources: ResourceInfo[] }>;
  Read: Unary<{ path: string }, { value: string }>;
  Write: Unary<{ path: string; value: string }, Record<string, never>>;
  Watch: (req: { path: string }) => grpc.ClientReadableStream<{ path: string; value: string }>;
}

const ERRNO_BY_STATUS: Partial<Record<grpc.status, FsErrno>> = {
  [grpc.status.NOT_FOUND]: 'ENOENT',
  [grpc.status.PERMISSION_DENIED]: 'EACCES',
  [grpc.status.UNAUTHENTICATED]: 'EACCES',
  [grpc.status.INVALID_ARGUMENT]: 'EINVAL',
  [grpc.status.OUT_OF_RANGE]: 'EINVAL',
  [grpc.status.FAILED_PRECONDITION]: 'EINVAL',
  [grpc.status.UNIMPLEMENTED]: 'ENOTSUP',
};

/** A FileViewError for a failed call to a unit's Resources service. */
export function resourceError(where: string, e: grpc.ServiceError): FileViewError {
  const errno = ERRNO_BY_STATUS[e.code] ?? 'EIO';
  const detail = e.details || e.message;
  const message = errno === 'EIO' ? `${where}: unit unreachable (${grpc.status[e.code] ?? e.code}: ${detail})` : `${where}: ${detail}`;
  return new FileViewError(errno, message, { cause: e });
}

/**
 * A client of one unit's `ensemble.resources.v1.Resources` service. Every
 * unary call has a deadline: a slow or dead unit answers EIO
 * (ENS_E_UNIT_UNREACHABLE) instead of hanging the caller.
 */
export class GrpcResourceClient implements ResourceClient {
  private readonly stub: ResourcesStub;

  constructor(
    readonly unit: string,
    readonly address: string,
    private readonly deadlineMs: number,
  ) {
    const { Resources } = loadProtos();
    this.stub = new Resources(address, grpc.credentials.createInsecure()) as unknown as ResourcesStub;
  }

  list(): Promise<ResourceInfo[]> {
    return this.unary<{ resources: ResourceInfo[] }>(`units/${this.unit}`, (cb) => this.stub.List({}, this.options(), cb)).then((r) => r.resources);
  }

  read(path: string): Promise<string> {
    return this.unary<{ value: string }>(`units/${this.unit}/${path}`, (cb) => this.stub.Read({ path }, this.options(), cb)).then((r) => r.value);
  }

  async write(path: string, value: string): Promise<void> {
    await this.unary(`units/${this.unit}/${path}`, (cb) => this.stub.Write({ path, value }, this.options(), cb));
  }

  watch(path: string, onValue: (value: string) => void, onError: (e: unknown) => void): () => void {
    const call = this.stub.Watch({ path });
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
    this.stub.close();
  }

  private options(): grpc.CallOptions {
    return { deadline: Date.now() + this.deadlineMs };
  }

  private unary<T>(where: string, call: (cb: (e: grpc.ServiceError | null, res?: T) => void) => unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      call((e, res) => (e ? reject(resourceError(where, e)) : resolve(res as T)));
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

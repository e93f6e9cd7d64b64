import * as grpc from '@grpc/grpc-js';
import { RemoteError } from '../wire/grpc-status.js';
import { serverStreamCall, unaryCall, type CallOptions, type Subscription } from './service-call.js';
import type { ResourceInfo } from '../wire/resource-messages.js';

/** A unit's NOT_FOUND is about a path (the status alone would read as an unknown unit). */
function pathError(e: unknown): never {
  if (e instanceof RemoteError && e.grpcCode === grpc.status.NOT_FOUND && e.code === 'ENS_E_UNIT_NOT_FOUND') {
    throw new RemoteError('ENS_E_PATH_NOT_FOUND', e.message, e.grpcCode);
  }
  throw e;
}

export type { ResourceInfo };

/** One value a watched resource took. */
export interface ResourceChange {
  readonly path: string;
  readonly value: string;
  /** Epoch milliseconds of the change. */
  readonly timeMs: number;
}

/**
 * A typed client of another unit's resources (`ensemble.resources.v1.Resources`,
 * what the file view shows as `units/<unit>/…`), made by `unit.resourcesOf(name)`.
 * It finds `<name>.resources` through discovery and follows the unit across
 * restarts. Errors are EnsembleErrors: `ENS_E_PATH_NOT_FOUND`, `ENS_E_PERMISSION`
 * (not readable / not writable), `ENS_E_INVALID_ARGUMENT` (the unit refused the
 * value, with its message), `ENS_E_UNREACHABLE` (no such unit serving now).
 */
export class PeerResources {
  /**
   * @param unit the unit whose resources these are
   * @param client a grpc-js client of its `ensemble.resources.v1.Resources`
   */
  constructor(
    readonly unit: string,
    readonly client: grpc.Client,
  ) {}

  /** Every resource the unit serves. */
  async list(options: CallOptions = {}): Promise<ResourceInfo[]> {
    const res = await unaryCall<{ resources: ResourceInfo[] }>(this.client, 'List', {}, options);
    return res.resources.map((r) => ({ path: r.path, readable: r.readable, writable: r.writable, watchable: r.watchable, description: r.description }));
  }

  /** The current text of the resource at `path`. */
  async read(path: string, options: CallOptions = {}): Promise<string> {
    return (await unaryCall<{ value: string }>(this.client, 'Read', { path }, options).catch(pathError)).value;
  }

  /** Write `value` (numbers and booleans as their text) to the resource at `path`. */
  async write(path: string, value: string | number | boolean, options: CallOptions = {}): Promise<void> {
    await unaryCall(this.client, 'Write', { path, value: String(value) }, options).catch(pathError);
  }

  /** The resource's current value, then every change, until `cancel()`. */
  watch(path: string, options: CallOptions = {}): Subscription<ResourceChange> {
    return serverStreamCall<ResourceChange, ResourceChange>(this.client, 'Watch', { path }, (m) => ({ path: m.path, value: m.value, timeMs: Number(m.timeMs) }), options);
  }

  /** Close the channel. */
  close(): void {
    this.client.close();
  }
}

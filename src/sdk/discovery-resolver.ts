import * as grpc from '@grpc/grpc-js';
import { experimental } from '@grpc/grpc-js';
import type { ServiceMessage } from '../wire/discovery-messages.js';

/** URI scheme of channels that follow a service through discovery: `ensemble:///<service>`. */
export const DISCOVERY_SCHEME = 'ensemble';

/** Channel option naming the {@link DiscoverySource} a channel resolves through. */
export const SOURCE_OPTION = 'ensemble.sdk.discovery_source';

/** What the resolver needs from a connected unit. */
export interface DiscoverySource {
  /** Find a service (name, then alias, then family); rejects when there is none. */
  find(name: string): Promise<ServiceMessage>;
  /** Call `fn` whenever the registry changes for services this name could resolve to. */
  onChange(name: string, fn: () => void): () => void;
}

const sources = new Map<string, DiscoverySource>();
let registered = false;
let nextId = 0;

/** Make `source` available to channels; returns the channel options that select it. */
export function addDiscoverySource(source: DiscoverySource): { options: grpc.ChannelOptions; remove: () => void } {
  if (!registered) {
    experimental.registerResolver(DISCOVERY_SCHEME, DiscoveryResolver);
    registered = true;
  }
  const id = `source-${process.pid}-${nextId++}`;
  sources.set(id, source);
  return { options: { [SOURCE_OPTION]: id }, remove: () => sources.delete(id) };
}

/** The grpc-js address of a registered service address (`host:port` or `unix:/path`). */
export function toSubchannelAddress(address: string): experimental.SubchannelAddress {
  if (address.startsWith('unix:')) return { path: address.slice('unix:'.length).replace(/^\/\/(?=\/)/, '') };
  const hp = experimental.splitHostPort(address);
  if (!hp || hp.port === undefined) throw new Error(`cannot use address "${address}"`);
  return { host: hp.host, port: hp.port };
}

function serviceName(target: experimental.GrpcUri): string {
  return target.path.replace(/^\/+/, '');
}

/**
 * grpc-js resolver for `ensemble:///<service>`: asks discovery (Find) for the
 * service's address, and asks again whenever the registry changes for that
 * name or the channel loses its connection (grpc-js re-resolves on failure).
 * So a channel follows a unit that restarts on a new port.
 */
class DiscoveryResolver implements experimental.Resolver {
  private readonly name: string;
  private readonly source: DiscoverySource | undefined;
  private unsubscribe: (() => void) | null = null;
  private resolving = false;
  private again = false;

  constructor(
    target: experimental.GrpcUri,
    private readonly listener: experimental.ResolverListener,
    options: grpc.ChannelOptions,
  ) {
    this.name = serviceName(target);
    this.source = sources.get(String(options[SOURCE_OPTION]));
  }

  updateResolution(): void {
    if (!this.source) {
      const details = `no ensemble connection for "${DISCOVERY_SCHEME}:" targets: create clients with unit.client()`;
      setImmediate(() => this.fail(details));
      return;
    }
    this.unsubscribe ??= this.source.onChange(this.name, () => this.updateResolution());
    if (this.resolving) {
      this.again = true;
      return;
    }
    this.resolving = true;
    const source = this.source;
    source.find(this.name).then(
      (service) => {
        this.done();
        try {
          const endpoint = { addresses: [toSubchannelAddress(service.address)] };
          this.listener(experimental.statusOrFromValue([endpoint]), {}, null, `service "${this.name}" at ${service.address}`);
        } catch (e) {
          this.fail((e as Error).message);
        }
      },
      (e: unknown) => {
        this.done();
        this.fail(`service "${this.name}" is not available: ${(e as { details?: string; message?: string }).details ?? (e as Error).message}`);
      },
    );
  }

  private done(): void {
    this.resolving = false;
    if (this.again) {
      this.again = false;
      setImmediate(() => this.updateResolution());
    }
  }

  private fail(details: string): void {
    this.listener(experimental.statusOrFromError({ code: grpc.status.UNAVAILABLE, details }), {}, null, details);
  }

  destroy(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  static getDefaultAuthority(target: experimental.GrpcUri): string {
    return serviceName(target);
  }
}

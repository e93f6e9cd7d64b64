import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoDir } from './proto-dir.js';

/** The .proto files of every gRPC surface, relative to `proto/`. */
export const PROTO_FILES = [
  'ensemble/discovery/v1/discovery.proto',
  'ensemble/supervisor/v1/supervisor.proto',
  'ensemble/resources/v1/resources.proto',
  'ensemble/network/v1/peer.proto',
  'grpc/health/v1/health.proto',
] as const;

/**
 * How messages look in JavaScript: camelCase fields, enums as their names,
 * 64-bit integers as numbers (epoch milliseconds fit), unset scalars as
 * defaults, unset `optional` fields absent.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Client constructor of a service loaded at runtime. */
export type ClientCtor = grpc.ServiceClientConstructor;

/** Loaded contracts: the file descriptors (for reflection) and each service. */
export interface Protos {
  /**
   * The encoded file descriptors of the contracts with the field names as
   * written in the .proto files, for server reflection (generic clients such
   * as `buf curl` see snake_case fields and compute the usual JSON names).
   * Loaded on first access: only reflection needs them, and parsing the files
   * a second time is not free.
   */
  readonly fileDescriptors: readonly Uint8Array[];
  readonly Discovery: ClientCtor;
  readonly Supervisor: ClientCtor;
  readonly Resources: ClientCtor;
  readonly Health: ClientCtor;
  /** `ensemble.network.v1.Peer`: supervisor to supervisor, on the TCP listener. */
  readonly Peer: ClientCtor;
  /** `ensemble.network.v1.Network`: the operator's view of the network, on the local socket. */
  readonly Network: ClientCtor;
}

let cached: Protos | null = null;
let reflectionDescriptors: Uint8Array[] | null = null;

/** Load (once per process) the Ensemble contracts from `proto/`. */
export function loadProtos(): Protos {
  if (cached) return cached;
  const root = grpc.loadPackageDefinition(protoLoader.loadSync([...PROTO_FILES], { ...LOADER_OPTIONS, includeDirs: [protoDir()] }));
  cached = {
    get fileDescriptors(): readonly Uint8Array[] {
      // Every message type carries the descriptors of all the files loaded with it: one is enough.
      const loaded = Object.values(protoLoader.loadSync([...PROTO_FILES], { ...LOADER_OPTIONS, keepCase: true, includeDirs: [protoDir()] }));
      const withFiles = loaded.find((d): d is protoLoader.MessageTypeDefinition<object, object> => 'fileDescriptorProtos' in d && Array.isArray(d.fileDescriptorProtos));
      reflectionDescriptors ??= [...(withFiles?.fileDescriptorProtos ?? [])];
      return reflectionDescriptors;
    },
    Discovery: lookup(root, 'ensemble.discovery.v1.Discovery'),
    Supervisor: lookup(root, 'ensemble.supervisor.v1.Supervisor'),
    Resources: lookup(root, 'ensemble.resources.v1.Resources'),
    Health: lookup(root, 'grpc.health.v1.Health'),
    Peer: lookup(root, 'ensemble.network.v1.Peer'),
    Network: lookup(root, 'ensemble.network.v1.Network'),
  };
  return cached;
}

function lookup(root: grpc.GrpcObject, name: string): ClientCtor {
  let node: unknown = root;
  for (const part of name.split('.')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'function') throw new Error(`service ${name} missing from the loaded protos`);
  return node as ClientCtor;
}

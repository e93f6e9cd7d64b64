import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, loadPackage, serviceIn, type ClientCtor } from './proto-package.js';
import { protoDir } from './proto-dir.js';

export { LOADER_OPTIONS, type ClientCtor } from './proto-package.js';

/** The .proto files of every gRPC surface, relative to `proto/`. */
export const PROTO_FILES = [
  'ensemble/discovery/v1/discovery.proto',
  'ensemble/supervisor/v1/supervisor.proto',
  'ensemble/resources/v1/resources.proto',
  'ensemble/network/v1/peer.proto',
  'grpc/health/v1/health.proto',
] as const;

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
  const root = loadPackage(PROTO_FILES);
  cached = {
    get fileDescriptors(): readonly Uint8Array[] {
      // Every message type carries the descriptors of all the files loaded with it: one is enough.
      const loaded = Object.values(protoLoader.loadSync([...PROTO_FILES], { ...LOADER_OPTIONS, keepCase: true, includeDirs: [protoDir()] }));
      const withFiles = loaded.find((d): d is protoLoader.MessageTypeDefinition<object, object> => 'fileDescriptorProtos' in d && Array.isArray(d.fileDescriptorProtos));
      reflectionDescriptors ??= [...(withFiles?.fileDescriptorProtos ?? [])];
      return reflectionDescriptors;
    },
    Discovery: serviceIn(root, 'ensemble.discovery.v1.Discovery'),
    Supervisor: serviceIn(root, 'ensemble.supervisor.v1.Supervisor'),
    Resources: serviceIn(root, 'ensemble.resources.v1.Resources'),
    Health: serviceIn(root, 'grpc.health.v1.Health'),
    Peer: serviceIn(root, 'ensemble.network.v1.Peer'),
    Network: serviceIn(root, 'ensemble.network.v1.Network'),
  };
  return cached;
}

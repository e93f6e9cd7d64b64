import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoDir } from './proto-dir.js';
import { LOADER_OPTIONS } from './protos.js';

/** The contracts of the built-in units, relative to `proto/`. */
export const UNIT_PROTO_FILES = ['ensemble/store/v1/store.proto', 'ensemble/events/v1/events.proto'] as const;

/** Loaded services of the built-in units. */
export interface UnitProtos {
  readonly Store: grpc.ServiceClientConstructor;
  readonly Events: grpc.ServiceClientConstructor;
}

let cached: UnitProtos | null = null;

/** Load (once per process) `ensemble.store.v1.Store` and `ensemble.events.v1.Events`, with the API's loader options. */
export function loadUnitProtos(): UnitProtos {
  if (cached) return cached;
  const root = grpc.loadPackageDefinition(protoLoader.loadSync([...UNIT_PROTO_FILES], { ...LOADER_OPTIONS, includeDirs: [protoDir()] }));
  const pick = (name: string): grpc.ServiceClientConstructor => {
    let node: unknown = root;
    for (const part of name.split('.')) node = (node as Record<string, unknown>)[part];
    if (typeof node !== 'function') throw new Error(`service ${name} missing from the loaded protos`);
    return node as grpc.ServiceClientConstructor;
  };
  cached = { Store: pick('ensemble.store.v1.Store'), Events: pick('ensemble.events.v1.Events') };
  return cached;
}

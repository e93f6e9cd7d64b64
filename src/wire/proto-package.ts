import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoDir } from './proto-dir.js';

/**
 * How messages look in JavaScript: camelCase fields, enums as their names,
 * 64-bit integers as numbers (epoch milliseconds fit), unset scalars as
 * defaults, unset `optional` fields absent. Every contract Ensemble loads
 * (API, built-in units, health) uses these options.
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

const loaded = new Map<string, grpc.GrpcObject>();

/**
 * The loaded package of the .proto `files` (relative to the package's
 * `proto/`), parsed once per process on first use: a process that needs only
 * the health contract never parses the API's.
 */
export function loadPackage(files: readonly string[]): grpc.GrpcObject {
  const key = files.join('\n');
  let root = loaded.get(key);
  if (!root) {
    root = grpc.loadPackageDefinition(protoLoader.loadSync([...files], { ...LOADER_OPTIONS, includeDirs: [protoDir()] }));
    loaded.set(key, root);
  }
  return root;
}

/** The client constructor of the service `name` (e.g. `ensemble.store.v1.Store`) in a loaded package. */
export function serviceIn(root: grpc.GrpcObject, name: string): ClientCtor {
  let node: unknown = root;
  for (const part of name.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (typeof node !== 'function') throw new Error(`service ${name} missing from the loaded protos`);
  return node as ClientCtor;
}

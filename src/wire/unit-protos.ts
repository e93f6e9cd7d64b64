import { loadPackage, serviceIn, type ClientCtor } from './proto-package.js';

/** The contracts of the built-in units, relative to `proto/`. */
export const UNIT_PROTO_FILES = ['ensemble/store/v1/store.proto', 'ensemble/events/v1/events.proto'] as const;

/** Loaded services of the built-in units. */
export interface UnitProtos {
  readonly Store: ClientCtor;
  readonly Events: ClientCtor;
}

/** `ensemble.store.v1.Store` and `ensemble.events.v1.Events` (loaded once per process, on first use, with the API's loader options). */
export function loadUnitProtos(): UnitProtos {
  const root = loadPackage(UNIT_PROTO_FILES);
  return { Store: serviceIn(root, 'ensemble.store.v1.Store'), Events: serviceIn(root, 'ensemble.events.v1.Events') };
}

/**
 * `ensemble/sdk/host`: what a host — a unit that runs other units inside its
 * own process, such as `@ensemble/node-host` and `@ensemble/wasm-host` — and the
 * built-in units need beyond `ensemble/sdk`: the raw supervisor link a host
 * proxies for its children, the handler wrappers and health table its own
 * server uses, the hosted-unit context, resource path rules, and the values
 * and errors of unit properties, executable lookup. See docs/sdk.md "Hosts".
 *
 * An ordinary unit needs none of it. Built-in units import Ensemble only
 * through `ensemble/sdk`, this module and the wire layer (the layer rules in
 * .dependency-cruiser.cjs), as a unit outside this repository would.
 */

// Running units in-process.
export { runHostedUnit, currentHostedUnit, type HostedUnitContext } from './hosted-unit.js';
export { readUnitEnvironment, type UnitEnvironment } from './environment.js';

// The supervisor, as a host forwards it to its children.
export { SupervisorLink } from './supervisor-link.js';
export { SupervisorWatchdog } from './supervisor-watchdog.js';
export type { ServiceMessage, ServiceRegistrationMessage, WatchResponseMessage } from '../wire/discovery-messages.js';

// A host's own gRPC server: handlers that answer EnsembleErrors with their status, and grpc.health.v1.
export { unary, serverStream } from '../wire/grpc-handlers.js';
export { HealthStatus, type ServingStatus } from '../wire/health-service.js';
export { GrpcStatusError } from '../wire/grpc-status.js';
export { loadProtos, type Protos } from '../wire/protos.js';

// Resources and properties.
export { validateResourcePath } from './resource-table.js';
export { parseDuration, type DurationOptions } from '../common/duration.js';
export { parseSize } from '../common/size.js';
export { findExecutable, type ExecutableLookup, type ExecutableSearch } from '../common/find-executable.js';
export { EnsembleError, InvalidArgumentError, PermissionError, StateError, isEnsembleError } from '../common/errors.js';

/**
 * The Ensemble unit SDK (`ensemble/sdk`): what a TypeScript unit imports to
 * read its environment, serve gRPC, register and find services, serve
 * resources for the file view, use the built-in store and events and other
 * units' resources through typed clients, signal readiness and shut down
 * cleanly. See docs/sdk.md. Hosts that run units in-process use
 * `ensemble/sdk/host` as well.
 */
export { connect, Unit, STORE_FAMILY, EVENTS_FAMILY, type ConnectOptions, type ClientConstructor } from './unit.js';
export { type ServeOptions, type ServedService, type UnitServer } from './unit-server.js';
export { type ResourceOptions, type ResourceHandle, type ResourceValue } from './resource-table.js';
export { type ShutdownHook } from './shutdown-hooks.js';
export { type PropertiesHandler } from './properties-watch.js';
export { readUnitEnvironment, UnitEnvironmentError, type UnitEnvironment } from './environment.js';
export { type ServiceMessage as DiscoveredService } from '../wire/discovery-messages.js';
export { TOKEN_HEADER, IDENTITY_HEADER } from '../wire/headers.js';
export { IdentityCredentials, type IdentityOptions } from './identity-credentials.js';
export { type CallerIdentity, type CallerIdentityOptions } from './caller-identity.js';
export { StoreClient, type Measure, type StoreValue, type StoreWatchOptions } from './store-client.js';
export { EventsClient, type EnsembleEvent, type Published, type SubscribeOptions } from './events-client.js';
export { PeerResources, type ResourceInfo, type ResourceChange } from './peer-resources.js';
export { type CallOptions, type Subscription } from './service-call.js';
export { EnsembleError, isEnsembleError, ERROR_CODES, type ErrorCode } from '../common/errors.js';

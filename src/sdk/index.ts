/**
 * The Ensemble unit SDK (`ensemble/sdk`): what a TypeScript unit imports to
 * read its environment, serve gRPC, register and find services, serve
 * resources for the file view, signal readiness and shut down cleanly.
 * See docs/sdk.md.
 */
export { connect, Unit, type ConnectOptions, type ClientConstructor } from './unit.js';
export { type ServeOptions, type ServedService, type UnitServer } from './unit-server.js';
export { type ResourceOptions, type ResourceHandle, type ResourceValue } from './resource-table.js';
export { type ShutdownHook } from './shutdown-hooks.js';
export { type PropertiesHandler } from './properties-watch.js';
export { runHostedUnit, currentHostedUnit, type HostedUnitContext } from './hosted-unit.js';
export { readUnitEnvironment, UnitEnvironmentError, type UnitEnvironment } from './environment.js';
export { type ServiceMessage as DiscoveredService } from '../api/discovery-messages.js';
export { loadProtos } from '../wire/protos.js';
export { TOKEN_HEADER } from '../api/token.js';
export { IDENTITY_HEADER } from '../api/identity-assertion.js';
export { IdentityCredentials, type IdentityOptions } from './identity-credentials.js';
export { type CallerIdentity, type CallerIdentityOptions } from './caller-identity.js';

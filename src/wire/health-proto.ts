import type * as grpc from '@grpc/grpc-js';
import { loadPackage, serviceIn } from './proto-package.js';

/** The standard health contract, relative to the package's `proto/`. */
const HEALTH_PROTO = 'grpc/health/v1/health.proto';

/** Serving status names of `grpc.health.v1.HealthCheckResponse`. */
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** The parts of the generated `grpc.health.v1.Health` client a probe uses. */
export interface HealthClient extends grpc.Client {
  check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: { status: ServingStatus }) => void,
  ): grpc.ClientUnaryCall;
}

/** Constructor of {@link HealthClient}. */
export type HealthClientConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => HealthClient;

/**
 * The `grpc.health.v1.Health` service client constructor (the health
 * contract alone is loaded, once, on first use: a probe does not parse the
 * API's contracts).
 */
export function healthClientConstructor(): HealthClientConstructor {
  return serviceIn(loadPackage([HEALTH_PROTO]), 'grpc.health.v1.Health') as unknown as HealthClientConstructor;
}

/** The `grpc.health.v1.Health` service definition (for servers, e.g. test fixtures). */
export function healthServiceDefinition(): grpc.ServiceDefinition {
  return serviceIn(loadPackage([HEALTH_PROTO]), 'grpc.health.v1.Health').service;
}

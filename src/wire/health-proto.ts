import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Path of the standard health contract inside the package. */
const HEALTH_PROTO = join('proto', 'grpc', 'health', 'v1', 'health.proto');

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

let cached: grpc.GrpcObject | null = null;

/**
 * Find `proto/grpc/health/v1/health.proto` by walking up from this module
 * (works from `src/health` under tsx and from `dist/src/health` when built).
 */
export function healthProtoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, HEALTH_PROTO);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${HEALTH_PROTO} above ${dirname(fileURLToPath(import.meta.url))}`);
    dir = parent;
  }
}

/** The loaded `grpc.health.v1` package (loaded once, enums as strings). */
export function healthPackage(): grpc.GrpcObject {
  if (cached === null) {
    const definition = protoLoader.loadSync(healthProtoPath(), { keepCase: true, enums: String, defaults: true, longs: String });
    cached = grpc.loadPackageDefinition(definition);
  }
  return cached;
}

/** The `grpc.health.v1.Health` service client constructor. */
export function healthClientConstructor(): HealthClientConstructor {
  const grpcNs = healthPackage()['grpc'] as grpc.GrpcObject;
  const health = (grpcNs['health'] as grpc.GrpcObject)['v1'] as grpc.GrpcObject;
  return health['Health'] as unknown as HealthClientConstructor;
}

/** The `grpc.health.v1.Health` service definition (for servers, e.g. test fixtures). */
export function healthServiceDefinition(): grpc.ServiceDefinition {
  return (healthClientConstructor() as unknown as { service: grpc.ServiceDefinition }).service;
}

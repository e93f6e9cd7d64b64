import { createRequire } from 'node:module';
import type * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import type * as reflection from '@grpc/reflection';
import { completeFileDescriptors } from './file-descriptors.js';

/** The methods of server reflection (v1 and the v1alpha that older clients use). */
const REFLECTION_METHODS = ['/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo'];

interface ReflectionMethod {
  readonly definition: grpc.MethodDefinition<unknown, unknown>;
  readonly handler: grpc.handleBidiStreamingCall<unknown, unknown>;
}

/** A method definition as @grpc/proto-loader makes it: its types carry the descriptors of their files. */
interface LoadedMethod {
  readonly path: string;
  readonly requestType?: { readonly fileDescriptorProtos?: readonly Buffer[] };
  readonly responseType?: { readonly fileDescriptorProtos?: readonly Buffer[] };
}

/** `pkg.Service` of a service definition, from the path of its first method (`/pkg.Service/Method`). */
export function serviceNameOf(service: grpc.ServiceDefinition): string | null {
  const first = Object.values(service)[0] as LoadedMethod | undefined;
  return first ? (first.path.split('/')[1] ?? null) : null;
}

/**
 * Server reflection (`@grpc/reflection`) for exactly `services`: a listener
 * advertises what it serves and nothing else, and every file descriptor it
 * hands out names its dependencies (proto-loader leaves `dependency` empty,
 * which strict linkers such as `buf curl`'s reject), so every listed service
 * is callable through reflection alone.
 *
 * The descriptors come from the services' own method definitions (as loaded
 * by @grpc/proto-loader), so a unit's own services are covered too. Built on
 * the first reflection call: decoding descriptors would otherwise cost start
 * time and memory for a service only generic clients use. The methods are
 * registered at once, so the first call finds them. Services that were not
 * loaded by proto-loader (no descriptors) are left out. `preferred` gives
 * descriptors that win over the services' own for the same file (the
 * supervisor's, loaded with the field names as written in the .proto files).
 */
export function addReflection(server: grpc.Server, services: readonly grpc.ServiceDefinition[], preferred?: () => readonly Uint8Array[]): void {
  let methods: Map<string, ReflectionMethod> | null = null;
  const method = (path: string): ReflectionMethod => {
    methods ??= buildReflection(services, preferred?.() ?? []);
    const found = methods.get(path);
    if (!found) throw new Error(`server reflection has no method ${path}`);
    return found;
  };
  for (const path of REFLECTION_METHODS) {
    server.register<unknown, unknown>(
      path,
      (call: grpc.ServerDuplexStream<unknown, unknown>) => method(path).handler(call),
      (value: unknown) => method(path).definition.responseSerialize(value),
      (bytes: Buffer) => method(path).definition.requestDeserialize(bytes),
      'bidi',
    );
  }
}

function buildReflection(services: readonly grpc.ServiceDefinition[], preferred: readonly Uint8Array[]): Map<string, ReflectionMethod> {
  const names: string[] = [];
  const files: Uint8Array[] = [...preferred];
  for (const service of services) {
    const name = serviceNameOf(service);
    const descriptors = (Object.values(service) as LoadedMethod[]).flatMap((m) => [...(m.requestType?.fileDescriptorProtos ?? []), ...(m.responseType?.fileDescriptorProtos ?? [])]);
    if (!name || descriptors.length === 0) continue;
    names.push(name);
    files.push(...descriptors);
  }
  // One pseudo package whose descriptors are the completed files: that is all the library reads.
  const definition = { descriptors: { format: 'Protocol Buffer 3 DescriptorProto', type: {}, fileDescriptorProtos: completeFileDescriptors(files) } } as unknown as protoLoader.PackageDefinition;
  const loaded = new Map<string, ReflectionMethod>();
  // A stand-in server that only records what the reflection service adds.
  const recorder = {
    addService(service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation) {
      for (const [key, definition] of Object.entries(service)) {
        const handler = (implementation[key] ?? implementation[definition.originalName ?? '']) as grpc.handleBidiStreamingCall<unknown, unknown>;
        loaded.set(definition.path, { definition: definition as grpc.MethodDefinition<unknown, unknown>, handler });
      }
    },
  };
  const { ReflectionService } = createRequire(import.meta.url)('@grpc/reflection') as typeof reflection;
  new ReflectionService(definition, { services: names }).addToServer(recorder as unknown as grpc.Server);
  return loaded;
}

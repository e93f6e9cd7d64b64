/**
 * The real `@ensemble/events` unit (units/events/main.ts), with every call it
 * receives recorded: before the unit's own handlers run, the method and the
 * complete call metadata are appended as one JSON line to $EVENTS_SPY_FILE.
 * Lets a test assert exactly what reaches the events unit.
 */
import { appendFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

const file = process.env.EVENTS_SPY_FILE;
if (!file) throw new Error('EVENTS_SPY_FILE is not set');
type Handler = (call: { metadata: grpc.Metadata }, callback?: unknown) => unknown;
const addService = grpc.Server.prototype.addService;
grpc.Server.prototype.addService = function (this: grpc.Server, service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation) {
  const wrapped = Object.fromEntries(
    Object.entries(implementation).map(([method, handler]) => [
      method,
      (call: { metadata: grpc.Metadata }, callback?: unknown) => {
        appendFileSync(file, `${JSON.stringify({ method, metadata: call.metadata.toJSON() })}\n`);
        return (handler as Handler)(call, callback);
      },
    ]),
  );
  return addService.call(this, service, wrapped as grpc.UntypedServiceImplementation);
};
await import('../../../units/events/main.js');

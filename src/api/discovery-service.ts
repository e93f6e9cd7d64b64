import type * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError } from '../common/errors.js';
import { ServiceNotFoundError } from './service-not-found-error.js';
import { CHANGE_TYPE, type ServiceRegistrationMessage, type WatchResponseMessage } from '../wire/discovery-messages.js';
import { fromRegistrationMessage, toServiceMessage } from './service-messages.js';
import { serverStream, unary } from '../wire/grpc-handlers.js';
import { StreamOutbox } from '../wire/stream-outbox.js';
import { matchesQuery, type ServiceRegistry } from './service-registry.js';
import { authenticateUnit } from './token.js';

/** What the Discovery service needs besides the registry. */
export interface DiscoveryServiceOptions {
  readonly registry: ServiceRegistry;
  /** The unit whose token this is, or null (SupervisorControl.unitForToken). */
  readonly unitForToken: (token: string) => string | null;
}

/** Handlers of `ensemble.discovery.v1.Discovery`. */
export function discoveryHandlers({ registry, unitForToken }: DiscoveryServiceOptions): grpc.UntypedServiceImplementation {
  return {
    Register: unary((req: { unit: string; services: ServiceRegistrationMessage[] }, call) => {
      const unit = authenticateUnit(call.metadata, req.unit, unitForToken, 'Register');
      return { services: registry.register(unit, req.services.map(fromRegistrationMessage)).map(toServiceMessage) };
    }),
    Unregister: unary((req: { unit: string; names: string[] }, call) => {
      const unit = authenticateUnit(call.metadata, req.unit, unitForToken, 'Unregister');
      return { services: registry.unregister(unit, req.names).map(toServiceMessage) };
    }),
    Find: unary((req: { name: string }) => {
      if (req.name === '') throw new InvalidArgumentError('Find needs a service name, alias or family');
      const found = registry.find(req.name);
      if (!found) throw new ServiceNotFoundError(req.name);
      return { service: toServiceMessage(found) };
    }),
    FindAll: unary((req: { family: string }) => {
      if (req.family === '') throw new InvalidArgumentError('FindAll needs a family');
      return { services: registry.findAll(req.family).map(toServiceMessage) };
    }),
    List: unary((req: { query: string }) => ({ services: registry.list(req.query).map(toServiceMessage) })),
    Watch: serverStream((req: { query: string }, call: grpc.ServerWritableStream<unknown, WatchResponseMessage>) => {
      // A slow watcher gets each service's latest change, not every step in between.
      const out = new StreamOutbox<WatchResponseMessage>(call, { kind: 'latest', key: (m) => (m.service ? `${m.service.node}/${m.service.name}` : '') });
      const unsubscribe = registry.watch((change) => {
        if (matchesQuery(change.service, req.query)) out.send({ type: CHANGE_TYPE[change.type], service: toServiceMessage(change.service) });
      });
      for (const record of registry.list(req.query)) out.send({ type: CHANGE_TYPE.added, service: toServiceMessage(record) });
      out.send({ type: CHANGE_TYPE.synced });
      return () => {
        unsubscribe();
        out.close();
      };
    }),
  };
}

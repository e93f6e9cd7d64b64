import type * as grpc from '@grpc/grpc-js';
import { serverStream, unary } from '../../src/api/grpc-handlers.js';
import { TOKEN_HEADER } from '../../src/api/token.js';
import { InvalidArgumentError } from '../../src/errors.js';
import type { EventBus } from './event-bus.js';
import type { PublisherIdentity } from './publisher-identity.js';
import type { EventMessage } from './subscriber-queue.js';

/** What the Events handlers need. */
export interface EventsServiceOptions {
  readonly bus: EventBus;
  readonly identity: Pick<PublisherIdentity, 'unitOf'>;
  /** Default and maximum queue length of a subscriber. */
  readonly queue: number;
}

/** Handlers of `ensemble.events.v1.Events`. */
export function eventsHandlers({ bus, identity, queue }: EventsServiceOptions): grpc.UntypedServiceImplementation {
  return {
    Publish: unary(async (req: { topic: string; payload: string }, call) => {
      const publisher = await identity.unitOf(call.metadata);
      const startKey = String(call.metadata.get(TOKEN_HEADER)[0]);
      const { event, delivered } = bus.publish(publisher, startKey, req.topic, req.payload);
      return { sequence: event.sequence, delivered };
    }),
    Subscribe: serverStream((req: { filters: string[]; queue: number; replay: boolean }, call: grpc.ServerWritableStream<unknown, { event: EventMessage }>) => {
      if (req.filters.length === 0) throw new InvalidArgumentError('Subscribe needs at least one topic filter ("#" for every topic)');
      const capacity = req.queue > 0 ? Math.min(req.queue, queue) : queue;
      return bus.subscribe(
        req.filters,
        capacity,
        {
          write: (event) => call.write({ event }),
          onDrain: (fn) => call.on('drain', fn),
        },
        req.replay,
      );
    }),
  };
}

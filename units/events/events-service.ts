import type * as grpc from '@grpc/grpc-js';
import { serverStream, unary } from '../../src/wire/grpc-handlers.js';
import { InvalidArgumentError } from '../../src/sdk/host.js';
import type { CallerIdentity } from '../../src/sdk/index.js';
import type { EventBus } from './event-bus.js';
import type { EventMessage } from './subscriber-queue.js';

/** What the Events handlers need. */
export interface EventsServiceOptions {
  readonly bus: EventBus;
  /**
   * The verified publisher of a call (the SDK's `unit.callerIdentity`: the
   * identity assertion in its metadata, checked by the supervisor). Nothing
   * in the request body names the publisher.
   */
  readonly identify: (call: grpc.ServerUnaryCall<unknown, unknown>) => Promise<CallerIdentity>;
  /** Default and maximum queue length of a subscriber. */
  readonly queue: number;
}

/** Handlers of `ensemble.events.v1.Events`. */
export function eventsHandlers({ bus, identify, queue }: EventsServiceOptions): grpc.UntypedServiceImplementation {
  return {
    Publish: unary(async (req: { topic: string; payload: string }, call) => {
      const publisher = await identify(call as grpc.ServerUnaryCall<unknown, unknown>);
      // Sequences count per publisher start: the instance changes when the publisher restarts.
      const { event, delivered } = bus.publish(publisher.unit, publisher.instance, req.topic, req.payload);
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

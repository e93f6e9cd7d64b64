import type * as grpc from '@grpc/grpc-js';
import { serverStreamCall, unaryCall, type CallOptions, type Subscription } from './service-call.js';

/** One published event as a subscriber receives it (`ensemble.events.v1.Event`). */
export interface EnsembleEvent {
  readonly topic: string;
  /** Opaque text (often JSON). */
  readonly payload: string;
  /** The publishing unit, from its verified identity assertion. */
  readonly publisher: string;
  /** Per publisher start, consecutive from 1 (a jump is a gap). */
  readonly sequence: number;
  /** Epoch milliseconds when the events unit accepted it. */
  readonly timeMs: number;
  /** Events dropped for this subscriber since its previous event (its queue overflowed). */
  readonly dropped: number;
}

/** What {@link EventsClient.publish} resolves. */
export interface Published {
  /** The sequence number given to the event. */
  readonly sequence: number;
  /** How many subscribers it was queued for. */
  readonly delivered: number;
}

/** Options of {@link EventsClient.subscribe}. */
export interface SubscribeOptions extends CallOptions {
  /** Queue length for this subscriber (default and maximum: the events unit's `queue`). */
  readonly queue?: number;
  /** First replay the retained events that match, oldest first. */
  readonly replay?: boolean;
}

interface EventMessage {
  topic: string;
  payload: string;
  publisher: string;
  sequence: number;
  timeMs: number;
  dropped: number;
}

/** Finds the events service and gives its client (with this unit's identity for it); made once. */
export type EventsConnector = () => Promise<grpc.Client>;

/**
 * A typed client of the built-in events unit (`ensemble.events.v1.Events`,
 * docs/units.md "events"), made by `unit.events()`. Publishing proves this
 * unit's identity with an identity assertion for the events service's
 * discovery name (`unit.identityFor`), never with its ENSEMBLE_TOKEN; the
 * service is looked up on first use and followed through discovery after.
 * Errors are EnsembleErrors: `ENS_E_PERMISSION` (no valid assertion),
 * `ENS_E_INVALID_ARGUMENT` (malformed topic, wildcard in a topic, payload too
 * large), `ENS_E_SERVICE_NOT_FOUND` (no events unit), `ENS_E_UNREACHABLE`.
 */
export class EventsClient {
  private client: Promise<grpc.Client> | null = null;

  /** @param connect finds the service and makes its client (called once, again after a failure). */
  constructor(private readonly connect: EventsConnector) {}

  private events(): Promise<grpc.Client> {
    this.client ??= this.connect().catch((e: unknown) => {
      this.client = null;
      throw e;
    });
    return this.client;
  }

  /** Publish `payload` (text; objects are sent as JSON) on `topic` (levels separated by `/`, no wildcards). */
  async publish(topic: string, payload: string | object, options: CallOptions = {}): Promise<Published> {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const res = await unaryCall<{ sequence: number; delivered: number }>(await this.events(), 'Publish', { topic, payload: text }, options);
    return { sequence: Number(res.sequence), delivered: res.delivered };
  }

  /**
   * Every event published from now on whose topic matches one of `filters`
   * (MQTT wildcards: `+` one level, `#` any levels at the end), until
   * `cancel()`: `for await (const e of await unit.events().subscribe(['plant/#']))`.
   * Resolves once the service is found; the loop throws `ENS_E_UNREACHABLE`
   * when the events unit goes away (subscribe again).
   */
  async subscribe(filters: readonly string[], options: SubscribeOptions = {}): Promise<Subscription<EnsembleEvent>> {
    const client = await this.events();
    return serverStreamCall<{ event: EventMessage }, EnsembleEvent>(
      client,
      'Subscribe',
      { filters: [...filters], queue: options.queue ?? 0, replay: options.replay ?? false },
      ({ event: e }) => ({ topic: e.topic, payload: e.payload, publisher: e.publisher, sequence: Number(e.sequence), timeMs: Number(e.timeMs), dropped: Number(e.dropped) }),
      options,
    );
  }

  /** Close the channel, if one was made. */
  close(): void {
    void this.client?.then((c) => c.close(), () => undefined);
  }
}

import { PayloadTooLargeError } from './events-errors.js';
import { SubscriberQueue, type EventMessage, type QueueSink } from './subscriber-queue.js';
import { topicMatches, validateFilter, validateTopic } from './topic.js';

/** Options of an {@link EventBus}. */
export interface EventBusOptions {
  /** Longest payload accepted, in bytes (UTF-8). */
  readonly maxPayload: number;
  /** Events younger than this are retained for `replay` (0: none). */
  readonly retentionMs: number;
  /** At most this many retained events. */
  readonly retainMax: number;
}

interface Subscription {
  readonly filters: readonly string[];
  readonly queue: SubscriberQueue;
}

/**
 * Topic routing, per-publisher sequence numbers and retention.
 * Sequences count per publisher *start* (its identity's instance): a restarted publisher
 * begins at 1 again, so subscribers key gaps on (publisher, sequence) and
 * treat a drop to 1 as a restart.
 */
export class EventBus {
  private readonly sequences = new Map<string, number>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly retained: EventMessage[] = [];

  constructor(private readonly options: EventBusOptions) {}

  /** Publish; `startKey` identifies the publisher's start (its verified instance id). Returns the event and how many subscribers got it. */
  publish(publisher: string, startKey: string, topic: string, payload: string, now = Date.now()): { event: EventMessage; delivered: number } {
    validateTopic(topic);
    if (Buffer.byteLength(payload, 'utf8') > this.options.maxPayload) {
      throw new PayloadTooLargeError(this.options.maxPayload);
    }
    const sequence = (this.sequences.get(startKey) ?? 0) + 1;
    this.sequences.set(startKey, sequence);
    const event: EventMessage = { topic, payload, publisher, sequence, timeMs: now, dropped: 0 };
    let delivered = 0;
    for (const s of this.subscriptions) {
      if (s.filters.some((f) => topicMatches(f, topic))) {
        s.queue.push(event);
        delivered++;
      }
    }
    this.retain(event, now);
    return { event, delivered };
  }

  /** Subscribe `sink` to `filters` with a queue of `capacity`; returns the unsubscribe function. */
  subscribe(filters: readonly string[], capacity: number, sink: QueueSink, replay: boolean): () => void {
    for (const f of filters) validateFilter(f);
    const subscription: Subscription = { filters: [...filters], queue: new SubscriberQueue(capacity, sink) };
    if (replay) {
      this.prune(Date.now());
      for (const e of this.retained) if (filters.some((f) => topicMatches(f, e.topic))) subscription.queue.push(e);
    }
    this.subscriptions.add(subscription);
    return () => this.subscriptions.delete(subscription);
  }

  /** Current subscriber count. */
  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  private retain(event: EventMessage, now: number): void {
    if (this.options.retentionMs <= 0) return;
    this.retained.push({ ...event });
    this.prune(now);
  }

  private prune(now: number): void {
    while (this.retained.length > this.options.retainMax) this.retained.shift();
    while (this.retained.length > 0 && now - (this.retained[0] as EventMessage).timeMs > this.options.retentionMs) this.retained.shift();
  }
}

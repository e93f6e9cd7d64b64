/** An event as subscribers receive it (`ensemble.events.v1.Event`). */
export interface EventMessage {
  readonly topic: string;
  readonly payload: string;
  readonly publisher: string;
  readonly sequence: number;
  readonly timeMs: number;
  dropped: number;
}

/** Where a queue delivers: returns false when the consumer wants no more until `onDrain`. */
export interface QueueSink {
  write(event: EventMessage): boolean;
  onDrain(fn: () => void): void;
}

/**
 * The bounded queue of one subscriber. Overflow policy: drop the oldest
 * queued event (the subscriber keeps getting the newest data; what it
 * missed shows as a jump in `sequence` and as `dropped` on the next event).
 * Publishers never wait for a slow subscriber.
 */
export class SubscriberQueue {
  private readonly items: EventMessage[] = [];
  private blocked = false;
  private droppedSinceLast = 0;
  /** Total events dropped for this subscriber. */
  droppedTotal = 0;

  constructor(
    private readonly capacity: number,
    private readonly sink: QueueSink,
  ) {
    sink.onDrain(() => {
      this.blocked = false;
      this.pump();
    });
  }

  /** Queue `event` (a copy) and deliver what the sink accepts. */
  push(event: EventMessage): void {
    this.items.push({ ...event });
    if (this.items.length > this.capacity) {
      this.items.shift();
      this.droppedSinceLast++;
      this.droppedTotal++;
    }
    this.pump();
  }

  /** Events waiting to be delivered. */
  get length(): number {
    return this.items.length;
  }

  private pump(): void {
    while (!this.blocked && this.items.length > 0) {
      const next = this.items.shift() as EventMessage;
      next.dropped = this.droppedSinceLast;
      this.droppedSinceLast = 0;
      if (!this.sink.write(next)) this.blocked = true;
    }
  }
}

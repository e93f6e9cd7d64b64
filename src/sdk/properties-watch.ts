import * as grpc from '@grpc/grpc-js';
import { isServiceError } from '../wire/grpc-status.js';
import type { SupervisorLink } from './supervisor-link.js';

/** Called with a unit's new and previous properties after a reload changed them. */
export type PropertiesHandler<T = Record<string, unknown>> = (next: T, previous: T) => void | Promise<void>;

/** Pause before a dropped WatchProperties stream is opened again. */
const REWATCH_DELAY_MS = 250;

type PropertiesCall = grpc.ClientReadableStream<{ propertiesJson: string }>;

/**
 * The unit side of live properties: while at least one handler is
 * registered, a `WatchProperties` stream to the supervisor is open, which
 * tells the supervisor that this process takes new properties without a
 * restart. Each message is the unit's whole property object; handlers run
 * one update at a time, in order, only when the properties really changed.
 */
export class PropertiesWatch {
  private readonly handlers = new Set<PropertiesHandler<Record<string, unknown>>>();
  private call: PropertiesCall | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private firstAnswer: Promise<void> = Promise.resolve();
  private settleFirst: () => void = () => undefined;

  constructor(
    private readonly link: SupervisorLink,
    private readonly unit: string,
    private current: Record<string, unknown>,
    /** A handler threw: the unit cannot run with the new properties. */
    private readonly onFailure: (error: Error) => void,
  ) {}

  /** The latest properties (what the last completed update delivered). */
  get properties(): Record<string, unknown> {
    return this.current;
  }

  /** Resolves once the supervisor answered the stream (so it knows this process watches), or the stream failed. */
  get established(): Promise<void> {
    return this.firstAnswer;
  }

  /** Add a handler (opens the stream with the first one); returns its removal. */
  add(handler: PropertiesHandler<Record<string, unknown>>): () => void {
    this.handlers.add(handler);
    if (!this.call && !this.closed) this.open();
    return () => {
      this.handlers.delete(handler);
      if (this.handlers.size === 0) this.cancel();
    };
  }

  /** Stop watching for good. */
  close(): void {
    this.closed = true;
    this.cancel();
  }

  private open(): void {
    this.firstAnswer = new Promise((resolve) => (this.settleFirst = resolve));
    const call: PropertiesCall = this.link.stream(this.link.supervisor, 'WatchProperties', { unit: this.unit });
    this.call = call;
    call.on('data', (msg: { propertiesJson: string }) => {
      this.settleFirst();
      this.received(msg.propertiesJson);
    });
    const ended = (e?: unknown) => {
      this.settleFirst();
      if (this.call !== call) return;
      this.call = null;
      // An older supervisor without live properties: do not retry.
      if (isServiceError(e) && e.code === grpc.status.UNIMPLEMENTED) return;
      if (this.closed || this.handlers.size === 0) return;
      setTimeout(() => {
        if (!this.call && !this.closed && this.handlers.size > 0) this.open();
      }, REWATCH_DELAY_MS).unref();
    };
    call.on('error', ended);
    call.on('end', () => ended());
  }

  private cancel(): void {
    const call = this.call;
    this.call = null;
    call?.cancel();
    this.settleFirst();
  }

  private received(json: string): void {
    let next: Record<string, unknown>;
    try {
      next = JSON.parse(json) as Record<string, unknown>;
    } catch {
      return;
    }
    this.queue = this.queue.then(async () => {
      if (JSON.stringify(next) === JSON.stringify(this.current)) return;
      const previous = this.current;
      this.current = next;
      for (const handler of [...this.handlers]) {
        try {
          await handler(next, previous);
        } catch (e) {
          this.onFailure(e instanceof Error ? e : new Error(String(e)));
          return;
        }
      }
    });
  }
}

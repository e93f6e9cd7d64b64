import type * as grpc from '@grpc/grpc-js';
import { Caller } from '../wire/call.js';

/** Pause between attempts to reach a lost supervisor. */
const RETRY_MS = 250;

/** Health/Watch needs no token and has no deadline. */
const WATCH = new Caller({ deadlineMs: null });

/**
 * Watches the supervisor through `grpc.health.v1.Health/Watch` and calls
 * `onLost` once the supervisor has stayed unreachable for `graceMs`
 * (a unit must not outlive its supervisor).
 */
export class SupervisorWatchdog {
  private call: grpc.ClientReadableStream<unknown> | null = null;
  private lostSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly health: grpc.Client,
    private readonly graceMs: number,
    private readonly onLost: () => void,
  ) {}

  start(): void {
    if (this.call || this.timer || this.stopped) return;
    this.open();
  }

  private open(): void {
    this.timer = null;
    if (this.stopped) return;
    const call = WATCH.stream(this.health, 'Watch', { service: '' });
    this.call = call;
    call.on('data', () => {
      this.lostSince = null;
    });
    const dropped = () => {
      if (this.call !== call) return;
      this.call = null;
      if (this.stopped) return;
      const now = Date.now();
      this.lostSince ??= now;
      if (now - this.lostSince >= this.graceMs) {
        this.stopped = true;
        this.onLost();
        return;
      }
      this.timer = setTimeout(() => this.open(), RETRY_MS);
    };
    call.on('error', dropped);
    call.on('end', dropped);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const call = this.call;
    this.call = null;
    call?.cancel();
  }
}

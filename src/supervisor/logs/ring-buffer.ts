/**
 * A fixed-capacity FIFO that overwrites its oldest entry when full. Its
 * storage grows with use, so a quiet unit's buffer costs next to nothing.
 */
export class RingBuffer<T> {
  private readonly items: T[] = [];
  private readonly limit: number;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.limit = Math.max(1, capacity);
  }

  push(item: T): void {
    if (this.items.length < this.limit) {
      // Still filling up: nothing was overwritten yet, so the oldest entry is at 0.
      this.items.push(item);
      this.count++;
      return;
    }
    const cap = this.items.length;
    this.items[(this.start + this.count) % cap] = item;
    if (this.count < cap) this.count++;
    else this.start = (this.start + 1) % cap;
  }

  /** The newest `n` entries, oldest first. */
  last(n: number): T[] {
    const k = Math.max(0, Math.min(n, this.count));
    const out: T[] = [];
    const cap = this.items.length;
    for (let i = this.count - k; i < this.count; i++) out.push(this.items[(this.start + i) % cap] as T);
    return out;
  }

  get size(): number {
    return this.count;
  }
}

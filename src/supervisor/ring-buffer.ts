/** A fixed-capacity FIFO that overwrites its oldest entry when full. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(Math.max(1, capacity));
  }

  push(item: T): void {
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

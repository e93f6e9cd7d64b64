/**
 * One serial queue per unit name: the transitions asked of a unit from outside
 * its state machine (operator start, stop and restart, a reload's stop,
 * replace and start, AddUnit, RemoveUnit) run one at a time, in call order,
 * each to its end (docs/lifecycle.md "One instance per unit").
 *
 * A task may hold several names at once (a reload holds every unit it
 * touches). Its names are taken in one synchronous step when it is queued, and
 * a task only ever waits for tasks queued before it, so holding several names
 * cannot deadlock. A failed task does not stop the queue.
 *
 * Keyed by name, not by {@link Unit} object: a reload replaces a changed
 * unit's object, and whatever was queued behind the reload must find the new
 * one (look the unit up inside the task, never before).
 */
export class UnitQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Run `task` once every task queued earlier on any of `names` has finished. */
  run<T>(names: Iterable<string>, task: () => Promise<T>): Promise<T> {
    const keys = [...new Set(names)];
    const before: Promise<void>[] = [];
    for (const key of keys) {
      const tail = this.tails.get(key);
      if (tail) before.push(tail);
    }
    const result = Promise.all(before).then(task);
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    for (const key of keys) this.tails.set(key, done);
    void done.then(() => {
      for (const key of keys) if (this.tails.get(key) === done) this.tails.delete(key);
    });
    return result;
  }

  /** True while a task holds or waits for `name`. */
  busy(name: string): boolean {
    return this.tails.has(name);
  }
}

import type { PropertyValue } from '../../ensemble/plan.js';

/** Properties as delivered to a unit. */
export type Properties = Readonly<Record<string, PropertyValue>>;

interface Watcher {
  /** The unit token of the process that subscribed (its process is the one that handles). */
  readonly token: string | null;
  readonly listener: (properties: Properties) => void;
}

/**
 * Who takes live properties: units whose current process watches them
 * (SDK `onProperties`, the `WatchProperties` stream). A watcher belongs to
 * the process that opened it (its token), so a watcher left over from a
 * replaced process never counts.
 */
export class PropertyWatchers {
  private readonly watchers = new Map<string, Set<Watcher>>();

  /** Add a watcher for `unit` bound to `token`; returns the unsubscribe function. */
  add(unit: string, token: string | null, listener: (properties: Properties) => void): () => void {
    const watcher: Watcher = { token, listener };
    let set = this.watchers.get(unit);
    if (!set) this.watchers.set(unit, (set = new Set()));
    set.add(watcher);
    return () => {
      set.delete(watcher);
      if (set.size === 0 && this.watchers.get(unit) === set) this.watchers.delete(unit);
    };
  }

  /** True when the process holding `token` watches `unit`'s properties. */
  handles(unit: string, token: string | null): boolean {
    if (token === null) return false;
    for (const w of this.watchers.get(unit) ?? []) if (w.token === token) return true;
    return false;
  }

  /** Deliver `properties` to the watchers of `unit` held by `token`'s process; returns how many got them. */
  deliver(unit: string, token: string | null, properties: Properties, onError: (e: Error) => void): number {
    let n = 0;
    for (const w of [...(this.watchers.get(unit) ?? [])]) {
      if (w.token !== token) continue;
      try {
        w.listener(properties);
        n++;
      } catch (e) {
        onError(e as Error);
      }
    }
    return n;
  }
}

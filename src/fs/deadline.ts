import { FileViewError } from './errno.js';

interface Pending {
  readonly at: number;
  readonly ms: number;
  readonly path: string | (() => string);
  readonly reject: (e: Error) => void;
}

/** How often pending deadlines are checked: a deadline fires up to this much late. */
const TICK_MS = 50;
const pending = new Set<Pending>();
let ticker: NodeJS.Timeout | null = null;

function tick(): void {
  const now = Date.now();
  for (const p of pending) {
    if (now < p.at) continue;
    pending.delete(p);
    const where = typeof p.path === 'string' ? p.path : p.path();
    p.reject(new FileViewError('EIO', `${where}: no answer within ${p.ms} ms`));
  }
  if (pending.size === 0 && ticker) {
    clearInterval(ticker);
    ticker = null;
  }
}

/**
 * Settle with `work`, or reject with EIO once `ms` passed: a slow or dead
 * unit turns into an I/O error instead of a hanging shell. `path` (or a
 * function computing it, called only when the deadline passes) names the
 * file in the error. Deadlines share one coarse ticker instead of a timer
 * each (every FUSE open sets one), so they fire up to 50 ms late.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, path: string | (() => string)): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const entry: Pending = { at: Date.now() + ms, ms, path, reject };
    pending.add(entry);
    if (!ticker) {
      ticker = setInterval(tick, Math.min(TICK_MS, Math.max(1, ms)));
      ticker.unref();
    }
    work.then(
      (v) => {
        pending.delete(entry);
        resolve(v);
      },
      (e: unknown) => {
        pending.delete(entry);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

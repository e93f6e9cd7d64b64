import { FileViewError } from './errno.js';

/**
 * Settle with `work`, or reject with EIO once `ms` passed: a slow or dead
 * unit turns into an I/O error instead of a hanging shell.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, path: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new FileViewError('EIO', `${path}: no answer within ${ms} ms`)), ms);
    timer.unref();
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

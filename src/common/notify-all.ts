/**
 * Call every listener with `event`, over a copy of `listeners` (one may
 * unsubscribe while it runs). A listener that throws does not stop the others
 * nor the caller: its error goes to `onError` when given, and is dropped otherwise.
 */
export function notifyAll<T>(listeners: Iterable<(event: T) => void>, event: T, onError?: (e: unknown) => void): void {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (e) {
      onError?.(e);
    }
  }
}

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** Generous by default: the test machine is small and shared. */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

/**
 * Poll `condition` until it returns a truthy value (returned) or the deadline
 * passes (throws with `what` and the last value seen). For synchronising on
 * real processes without fixed sleeps.
 */
export async function waitFor<T>(what: string, condition: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const interval = options.intervalMs ?? 25;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

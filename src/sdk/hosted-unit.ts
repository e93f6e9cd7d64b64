import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a host process (such as `@ensemble/node-host`) gives a unit it runs
 * in-process: the unit's own environment contract and what to do instead of
 * exiting the shared process. See docs/units.md "node-host".
 */
export interface HostedUnitContext {
  /** The hosted unit's environment contract (replaces `process.env` for `connect()`). */
  readonly env: NodeJS.ProcessEnv;
  /** Called instead of `process.exit(code)` once the unit's shutdown hooks have run. */
  exit(code: number): void;
}

const storage = new AsyncLocalStorage<HostedUnitContext>();

/**
 * Run `fn` (typically `import(childModule)`) so that every `connect()` made
 * from it, synchronously or from any async continuation it creates, uses
 * `context` instead of the process's environment and exit.
 */
export function runHostedUnit<T>(context: HostedUnitContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The hosted unit the current code runs for, or undefined in an ordinary unit process. */
export function currentHostedUnit(): HostedUnitContext | undefined {
  return storage.getStore();
}

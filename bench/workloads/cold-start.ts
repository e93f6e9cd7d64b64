import type { Instance } from '../instance.js';

/** Workload 1: supervisor not running → start command → every unit running. */
export interface ColdStart {
  /** Start command spawned → the last unit's first instruction, with every unit alive. */
  readonly allRunningMs: number;
  /** Start command spawned → command returned (or control interface up); undefined when the peer has neither. */
  readonly startReturnedMs: number | undefined;
}

/** Peers whose start command returns, or whose control interface comes up, possibly after the units run. */
const CONTROL_AFTER_UNITS = new Set(['pm2', 'ensemble', 'supervisord']);

/** Measure the cold start of a freshly started instance. */
export async function measureColdStart(instance: Instance, timeoutMs: number): Promise<ColdStart> {
  const lastStart = await instance.waitAllRunning(timeoutMs);
  // The start command of a daemonizing peer may return, and a control interface may come up
  // (Ensemble starts its API while the units start), after the units run: give it a moment.
  const deadline = Date.now() + 10_000;
  while (instance.running.startReturnedNs() === undefined && Date.now() < deadline && CONTROL_AFTER_UNITS.has(instance.peer.name)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const returned = instance.running.startReturnedNs();
  return {
    allRunningMs: nsToMs(lastStart - instance.t0),
    startReturnedMs: returned === undefined ? undefined : nsToMs(returned - instance.t0),
  };
}

/** Nanoseconds (bigint) to milliseconds. */
export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

/** Where a hosted child is in its life. */
export type ChildPhase = 'loading' | 'running' | 'ready' | 'failed' | 'stopped';

/** What the host knows about one child (shown as `children/<child>/{state,error}`). */
export interface ChildState {
  readonly name: string;
  phase: ChildPhase;
  /** Last failure, '' when none. */
  error: string;
  /** Services the child registered (their discovery names). */
  readonly services: Set<string>;
  /** Address of the child's own Resources service, once it served. */
  resourcesAddress: string | null;
  /** True once the child made any call to its proxy (it has a Unit whose shutdown the host waits for). */
  connected: boolean;
  /** Exit code the child's shutdown reported, or null while it runs. */
  exitCode: number | null;
}

/** A fresh child state. */
export function newChildState(name: string): ChildState {
  return { name, phase: 'loading', error: '', services: new Set(), resourcesAddress: null, connected: false, exitCode: null };
}

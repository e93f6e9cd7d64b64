import type { UnitState } from './unit-state.js';

/**
 * Every allowed state change of a unit (docs/lifecycle.md has the diagram).
 * A change to the same state is an update (new pid, new reason) and always allowed.
 */
export const UNIT_TRANSITIONS: Readonly<Record<UnitState, readonly UnitState[]>> = {
  pending: ['starting', 'stopped', 'failed'],
  starting: ['ready', 'stopping', 'backoff', 'crashloop', 'stopped', 'failed'],
  ready: ['degraded', 'stopping', 'backoff', 'crashloop', 'stopped'],
  degraded: ['ready', 'stopping', 'backoff', 'crashloop', 'stopped'],
  backoff: ['starting', 'pending', 'stopped'],
  crashloop: ['pending', 'starting', 'stopped'],
  stopping: ['stopped', 'backoff', 'crashloop', 'failed'],
  stopped: ['pending', 'starting'],
  failed: ['pending', 'starting', 'stopped'],
};

/** True when a unit may go from `from` to `to`. */
export function canTransition(from: UnitState, to: UnitState): boolean {
  return from === to || UNIT_TRANSITIONS[from].includes(to);
}

/** States in which the unit counts as up for its dependents. */
export function isUp(state: UnitState): boolean {
  return state === 'ready' || state === 'degraded';
}

/** States in which a unit process exists (or is being created). */
export function hasProcess(state: UnitState): boolean {
  return state === 'starting' || state === 'ready' || state === 'degraded' || state === 'stopping';
}

import { InvalidArgumentError } from '../common/errors.js';
import type { SupervisorControl } from '../supervisor/lifecycle/control.js';
import type { UnitStatus } from '../supervisor/lifecycle/unit-state.js';

/** What can be done to a unit across the network. */
export type UnitAction = 'start' | 'stop' | 'restart';

/** Check an action name sent by a caller. */
export function parseUnitAction(action: string): UnitAction {
  if (action === 'start' || action === 'stop' || action === 'restart') return action;
  throw new InvalidArgumentError(`unit action must be start, stop or restart, not "${action}"`);
}

/** Run `action` on a unit of this node; resolves when done (ready, failed or stopped). */
export function runUnitAction(control: SupervisorControl, unit: string, action: UnitAction): Promise<UnitStatus> {
  if (unit === '') throw new InvalidArgumentError(`${action} needs a unit name`);
  if (action === 'start') return control.startUnit(unit);
  if (action === 'stop') return control.stopUnit(unit);
  return control.restartUnit(unit);
}

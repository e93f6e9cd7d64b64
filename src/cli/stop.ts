import type { Command } from 'commander';
import { registerUnitControl } from './unit-control-command.js';

/** `supervisor stop UNIT|NODE/UNIT`: stop a unit and keep it down until started again. NODE/UNIT acts on another node of the network. */
export function registerStop(program: Command): void {
  registerUnitControl(program, 'stop', 'stop a unit and keep it down until started again');
}

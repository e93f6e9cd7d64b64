import type { Command } from 'commander';
import { registerUnitControl } from './unit-control-command.js';

/** `supervisor restart UNIT|NODE/UNIT`: stop and start a unit, and wait until it is ready. NODE/UNIT acts on another node of the network. */
export function registerRestart(program: Command): void {
  registerUnitControl(program, 'restart', 'stop and start a unit, and wait until it is ready');
}

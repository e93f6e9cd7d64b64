import type { Command } from 'commander';
import { registerUnitControl } from './unit-control-command.js';

/** `supervisor start UNIT|NODE/UNIT`: start a stopped, failed or crash-looping unit and wait until it is ready. NODE/UNIT acts on another node of the network. */
export function registerStart(program: Command): void {
  registerUnitControl(program, 'start', 'start a stopped, failed or crash-looping unit and wait until it is ready');
}

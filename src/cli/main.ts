#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerCheck } from './check.js';
import { registerRender } from './render.js';
import { registerRun } from './run.js';

/**
 * The `supervisor` command. Each verb lives in its own file under src/cli and
 * only parses arguments before calling into src/.
 */
const program = new Command('supervisor')
  .description('Run and control a system of units described by an .ensemble file')
  .version(VERSION)
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerRun(program);
registerCheck(program);
registerRender(program);

await program.parseAsync(process.argv);

#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from '../common/version.js';
import { registerCheck } from './check.js';
import { registerFind } from './find.js';
import { registerFs } from './fs.js';
import { registerLogs } from './logs.js';
import { registerPs } from './ps.js';
import { registerReloadVerb } from './reload.js';
import { registerRender } from './render.js';
import { registerRestart } from './restart.js';
import { registerRun } from './run.js';
import { registerShutdown } from './shutdown.js';
import { registerStart } from './start.js';
import { registerStop } from './stop.js';

/**
 * The `supervisor` command. Each verb lives in its own file under src/cli and
 * only parses arguments before calling into src/.
 */
const program = new Command('supervisor')
  .description('Run and control a system of units described by an .ensemble file')
  .version(VERSION)
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) })
  .option('--supervisor <address>', 'supervisor API address for client verbs (unix:/path, a socket path, or host:port); default: ENSEMBLE_SUPERVISOR, then the ensemble in the current directory');

registerRun(program);
registerCheck(program);
registerRender(program);
registerPs(program);
registerStart(program);
registerStop(program);
registerRestart(program);
registerLogs(program);
registerFind(program);
registerReloadVerb(program, 'reload');
registerReloadVerb(program, 'diff');
registerShutdown(program);
registerFs(program);

await program.parseAsync(process.argv);

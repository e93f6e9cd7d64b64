// Entry point of a real `supervisor run` child process for tests and benchmarks, fed a Plan as
// JSON instead of an .ensemble file (so supervisor tests do not depend on the language):
//   node --import tsx test/helpers/run-plan-main.ts PLAN.json
// Everything else is the real composition root (runSystem with its default plugins; no FUSE mount).
import { readFileSync } from 'node:fs';
import type { Plan } from '../../src/ensemble/plan.js';
import { reportError } from '../../src/cli/action.js';
import { runSystem } from '../../src/system/run-system.js';

const planFile = process.argv[2];
if (!planFile) throw new Error('usage: run-plan-main.ts PLAN.json');
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
try {
  process.exitCode = await runSystem({ file: plan.file, logFormat: 'json', fs: false }, { loadPlan: () => Promise.resolve(plan) });
} catch (e) {
  process.exitCode = reportError(e);
}

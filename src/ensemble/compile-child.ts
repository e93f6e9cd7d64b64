/**
 * The compiling process of a bounded compile (bounded-compile.ts): started
 * with a V8 heap limit, it loads the compiler, says `ready`, compiles the one
 * request it is sent, answers and exits. Its parent ends it when the budget's
 * time is up; the heap limit ends it when its memory is.
 */
import { isEnsembleError } from '../common/errors.js';
import { compileUnitSnippet } from './compile-unit.js';
import type { CompileReply, CompileRequest } from './compile-protocol.js';
import { loadPlan } from './load-plan.js';
import { PlanError } from './plan-error.js';

function send(reply: CompileReply, then?: () => void): void {
  try {
    process.send?.(reply, undefined, undefined, () => then?.());
  } catch (e) {
    // Not structured-clone safe (a bug: the Plan is plain data).
    process.send?.({ type: 'internal-error', message: `the result cannot be sent: ${(e as Error).message}` } satisfies CompileReply, undefined, undefined, () => then?.());
  }
}

async function compile(req: CompileRequest): Promise<CompileReply> {
  try {
    if (req.type === 'plan') {
      const plan = await loadPlan(req.file, {
        budget: req.budget,
        ...(req.params !== undefined ? { params: req.params } : {}),
        ...(req.node !== undefined ? { node: req.node } : {}),
        ...(req.env !== undefined ? { env: req.env } : {}),
      });
      return { type: 'plan', plan };
    }
    const unit = await compileUnitSnippet(req.text, {
      baseDir: req.baseDir,
      plan: req.plan,
      budget: req.budget,
      ...(req.env !== undefined ? { env: req.env } : {}),
      ...(req.params !== undefined ? { params: req.params } : {}),
    });
    return { type: 'unit', unit };
  } catch (e) {
    if (e instanceof PlanError) return { type: 'diagnostics', diagnostics: e.diagnostics, omitted: e.omitted };
    if (isEnsembleError(e)) return { type: 'ensemble-error', code: e.code, message: e.message };
    return { type: 'internal-error', message: e instanceof Error ? e.message : String(e) };
  }
}

let busy = false;
process.on('message', (req: CompileRequest) => {
  if (busy) return;
  busy = true;
  void compile(req).then((reply) => send(reply, () => process.exit(0)));
});
// The parent is gone (or ended the channel): nothing is waiting for a result.
process.on('disconnect', () => process.exit(0));

// Load what every compile may need before saying ready, so the budget's
// clock measures the file's work, not module loading.
await Promise.all([import('liquidjs'), import('./properties-drop.js')]);
send({ type: 'ready' });

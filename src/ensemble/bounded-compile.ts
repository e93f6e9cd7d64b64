import { spawn } from 'node:child_process';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnsembleError, ResourceExhaustedError, type ErrorCode } from '../common/errors.js';
import type { SnippetOptions } from './compile-unit.js';
import type { CompileReply, CompileRequest } from './compile-protocol.js';
import type { Diagnostic } from './diagnostic.js';
import type { LoadOptions } from './load-plan.js';
import { PlanError } from './plan-error.js';
import type { Plan, UnitSpec } from './plan.js';
import { budgetExceeded, DEFAULT_RENDER_BUDGET, type BudgetLimit, type RenderBudget } from './render-budget.js';

/**
 * A compile that cannot take its caller down: the file is rendered and
 * compiled in a child process started with a V8 heap limit (the budget's
 * memory), which is killed when the budget's time is up. A running
 * supervisor compiles every reload, diff and AddUnit this way, so a file
 * with `{% for i in (1..1000000000000000000) %}` or a template that never
 * ends costs it nothing but a child process; `check` and `render` too.
 *
 * A worker thread with `resourceLimits` is not enough: measured on Node 20,
 * a worker that fills its heap with `Array.prototype.fill` or a growing Map
 * aborts the whole process (V8 fatal OOM) instead of ending the worker.
 */

/** How long the compiling process may take to load the compiler before the budget's clock starts (a loaded machine is slow). */
const STARTUP_TIMEOUT_MS = 30_000;
/** The child is killed this long after the budget: Liquid's own render limit, with a position, fires first when it can. */
const KILL_GRACE_MS = 500;
/** Compiles running at once in one process; more wait in line (each may use the whole memory budget). */
const MAX_RUNNING = 2;
/** Compiles waiting; more are refused at once (units may call AddUnit in a loop). */
const MAX_WAITING = 16;
/** Stderr of the child kept to tell an out-of-memory end from other ends. */
const STDERR_KEEP = 8192;

/** Where the compiling process is started from. */
export interface CompileLauncher {
  /**
   * Words put before the node command, e.g. `['setpriv', '--pdeathsig',
   * 'KILL', '--']` so the child dies with its parent even while busy.
   */
  readonly prefix?: readonly string[];
}

/**
 * `loadPlan` in a bounded child process. Throws {@link PlanError}: the
 * file's own errors, or one diagnostic at the top of the file naming the
 * limit that was exceeded (`render limit of 2 s exceeded (raise it with
 * --render-timeout)`).
 */
export function loadPlanBounded(file: string, options: LoadOptions = {}, launcher: CompileLauncher = {}): Promise<Plan> {
  const budget = options.budget ?? DEFAULT_RENDER_BUDGET;
  const request: CompileRequest = {
    type: 'plan',
    file,
    budget,
    ...(options.params !== undefined ? { params: options.params } : {}),
    ...(options.node !== undefined ? { node: options.node } : {}),
    ...(options.env !== undefined ? { env: { ...options.env } } : {}),
  };
  return runBounded(request, file, launcher).then((reply) => {
    if (reply.type !== 'plan') throw new Error(`the compiler answered ${reply.type} to a plan request`);
    return reply.plan;
  });
}

/** `compileUnitSnippet` (AddUnit) in a bounded child process; throws like {@link loadPlanBounded}. */
export function compileUnitBounded(text: string, options: SnippetOptions, launcher: CompileLauncher = {}): Promise<UnitSpec> {
  const budget = options.budget ?? DEFAULT_RENDER_BUDGET;
  const request: CompileRequest = {
    type: 'unit',
    text,
    baseDir: options.baseDir,
    plan: options.plan,
    budget,
    ...(options.env !== undefined ? { env: { ...options.env } } : {}),
    ...(options.params !== undefined ? { params: options.params } : {}),
  };
  return runBounded(request, '<snippet>', launcher).then((reply) => {
    if (reply.type !== 'unit') throw new Error(`the compiler answered ${reply.type} to a unit request`);
    return reply.unit;
  });
}

let running = 0;
const waiting: (() => void)[] = [];

async function runBounded(request: CompileRequest, file: string, launcher: CompileLauncher): Promise<CompileReply> {
  if (running >= MAX_RUNNING) {
    if (waiting.length >= MAX_WAITING) throw new ResourceExhaustedError(`too many files are being compiled at once (${MAX_RUNNING} running, ${MAX_WAITING} waiting); try again later`);
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  running++;
  try {
    return await compileInChild(request, file, launcher);
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** The child's module (compile-child.js next to this file, or .ts under tsx) and the node flags it needs. */
function childEntry(): { module: string; loader: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const module = join(dirname(here), `compile-child${ext}`);
  // Sources (tests, `tsx`): the child needs the TypeScript loader too.
  return { module, loader: ext === '.ts' ? ['--import', import.meta.resolve('tsx')] : [] };
}

/** One diagnostic at the top of `file` saying which limit ran out. */
function limitError(limit: BudgetLimit, budget: RenderBudget, file: string): PlanError {
  const d: Diagnostic = { code: 'ENS_E_RESOURCE_EXHAUSTED', file, line: 1, column: 1, message: budgetExceeded(limit, budget) };
  return new PlanError([d]);
}

/** A fatal V8 end for want of memory (heap limit reached, an allocation too large). */
function outOfMemory(stderr: string): boolean {
  return /heap out of memory|Reached heap limit|Allocation failed|invalid size error|invalid array length/i.test(stderr);
}

function compileInChild(request: CompileRequest, file: string, launcher: CompileLauncher): Promise<CompileReply> {
  const { budget } = request;
  const { module, loader } = childEntry();
  const heapMb = Math.max(16, Math.floor(budget.memoryBytes / (1024 * 1024)));
  const nodeArgs = [...loader, `--max-old-space-size=${heapMb}`, module];
  // Through sh for `ulimit -c 0`: a child ended by V8's out-of-memory abort must not
  // leave a core file of its heap behind (a unit could call AddUnit in a loop).
  const argv = [...(launcher.prefix ?? []), process.execPath, ...nodeArgs];
  const [command, args] = ['/bin/sh', ['-c', 'ulimit -c 0 2>/dev/null; exec "$@"', 'ensemble-compile', ...argv]] as const;
  // The child's own environment: the parent's, without NODE_OPTIONS (it could
  // change the heap limit or preload code); `env.NAME` of the file is in the request.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise<CompileReply>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced', env });
    let stderr = '';
    let settled = false;
    let timedOut = false;
    let started = false;
    let timer: NodeJS.Timeout | null = setTimeout(() => {
      timer = null;
      timedOut = true;
      child.kill('SIGKILL');
    }, STARTUP_TIMEOUT_MS);
    const finish = (outcome: { reply: CompileReply } | { error: Error }): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if ('reply' in outcome) resolve(outcome.reply);
      else reject(outcome.error);
    };
    child.stderr?.on('data', (buf: Buffer) => {
      stderr = (stderr + buf.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.on('error', (e) => finish({ error: new EnsembleError('ENS_E_UNSUPPORTED', `cannot start the compiling process (${argv.join(' ')}): ${e.message}`) }));
    child.on('message', (reply: CompileReply) => {
      if (reply.type === 'ready') {
        started = true;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timer = null;
          timedOut = true;
          child.kill('SIGKILL');
        }, budget.timeoutMs + KILL_GRACE_MS);
        child.send(request, (e) => {
          if (e) finish({ error: new Error(`cannot send the file to the compiling process: ${e.message}`) });
        });
        return;
      }
      if (reply.type === 'diagnostics') return finish({ error: new PlanError(reply.diagnostics, reply.omitted) });
      if (reply.type === 'ensemble-error') return finish({ error: new EnsembleError(reply.code as ErrorCode, reply.message) });
      if (reply.type === 'internal-error') return finish({ error: new Error(`the compiler failed: ${reply.message}`) });
      finish({ reply });
    });
    // 'close': the process ended and its stderr is read to the end (an out-of-memory report comes last).
    child.on('close', (code, signal) => {
      if (settled) return;
      if (outOfMemory(stderr)) return finish({ error: limitError('memory', budget, file) });
      if (timedOut && started) return finish({ error: limitError('time', budget, file) });
      if (timedOut) return finish({ error: new EnsembleError('ENS_E_UNSUPPORTED', `the compiling process did not start within ${STARTUP_TIMEOUT_MS / 1000} s (is the machine overloaded?)`) });
      // Node prints the error, its stack, then its version: say the error line.
      const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('at ') && !/^Node\.js v/.test(l));
      const line = lines.find((l) => /Error\b/.test(l)) ?? lines.pop() ?? '';
      finish({ error: new Error(`the compiling process ended before answering (${signal ?? `exit code ${code}`})${line ? `: ${line.slice(0, 200)}` : ''}`) });
    });
  });
}

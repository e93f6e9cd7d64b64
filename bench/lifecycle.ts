// Lifecycle figures of the supervisor core (issue 3), measured on a real `supervisor run`:
//
//   npx tsx bench/lifecycle.ts [--quick]
//
// - cold start: from spawning `supervisor run` to its "all units ready" record, for 10 and
//   100 native units (`sleep`), and the part of it after the supervisor was running
//   (plan compiled, runtime directory taken, API listening);
// - restart latency: `kill -9` of a unit's main process → the supervisor reports the new pid
//   (restart backoff 0 ms, so this is the supervisor's own reaction time);
// - supervisor RSS with 100 units, and the reaper's;
// - supervisor CPU while idle with 100 units, and while one unit crash-loops (exits at once,
//   restarted every 100 ms forever; and with the default policy, which ends in crashloop).
//
// Prints a Markdown table (for docs/performance.md). Runs in a temp dir with its own
// ENSEMBLE_RUNTIME_HOME/ENSEMBLE_STATE_HOME and kills only the processes it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CLK_TCK = 100;

interface Run {
  readonly child: ChildProcess;
  readonly started: number;
  readonly records: { at: number; rec: Record<string, unknown> }[];
  waitFor(pred: (r: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<{ at: number; rec: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/** The CLI entry: the built one when it is newer than the sources, else the sources through tsx. */
function cliCommand(): string[] {
  const built = join(root, 'dist', 'src', 'cli', 'main.js');
  const sources = [join(root, 'src', 'system', 'run-system.ts'), ...readdirSync(join(root, 'src', 'supervisor')).map((f) => join(root, 'src', 'supervisor', f))];
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs > newest) return [built];
  return ['--import', import.meta.resolve('tsx'), join(root, 'src', 'cli', 'main.ts')];
}

function startRun(dir: string, file: string): Run {
  const env = { ...process.env, ENSEMBLE_RUNTIME_HOME: join(dir, 'run'), ENSEMBLE_STATE_HOME: join(dir, 'state') };
  const started = performance.now();
  const child = spawn(process.execPath, [...cliCommand(), 'run', file, '--log-format', 'json', '--no-fs'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const records: Run['records'] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  child.stdout?.on('data', (buf: Buffer) => {
    const at = performance.now();
    const lines = (partial + buf.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        records.push({ at, rec: JSON.parse(line) as Record<string, unknown> });
      } catch {
        // not JSON
      }
    }
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    started,
    records,
    waitFor(pred, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error('timed out'));
        }, timeoutMs);
        const check = (): void => {
          const found = records.find((r) => pred(r.rec));
          if (found) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(found);
          }
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function cpuTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function cpuPercent(pid: number, ms: number): Promise<number> {
  const t0 = cpuTicks(pid);
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return ((cpuTicks(pid) - t0) / CLK_TCK / ((performance.now() - w0) / 1000)) * 100;
}

function ensemble(n: number, extra = ''): string {
  let text = '';
  for (let i = 0; i < n; i++) text += `runner u${i} "sleep" { arguments: "100000" restart { backoff: "0ms" max_backoff: "1ms" max_restarts: 100000 window: "1m" } }\n`;
  return text + extra;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const ms = (x: number): string => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

const rows: [string, string][] = [];
const dirs: string[] = [];
const isReady = (r: Record<string, unknown>): boolean => r.msg === 'all units ready';

async function coldStart(n: number, reps: number): Promise<Run | null> {
  const totals: number[] = [];
  const inner: number[] = [];
  let keep: Run | null = null;
  for (let rep = 0; rep < reps; rep++) {
    const dir = mkdtempSync(join(tmpdir(), 'ens-bench-'));
    dirs.push(dir);
    const file = join(dir, 'system.ensemble');
    writeFileSync(file, ensemble(n));
    const run = startRun(dir, file);
    const ready = await run.waitFor(isReady);
    const running = await run.waitFor((r) => r.msg === 'supervisor running');
    totals.push(ready.at - run.started);
    inner.push(Number(ready.rec.time) - Number(running.rec.time));
    if (rep === reps - 1 && n === 100) keep = run;
    else await run.stop();
  }
  rows.push([`cold start, ${n} units: \`supervisor run\` → all ready (median of ${reps})`, ms(median(totals))]);
  rows.push([`  of which after "supervisor running" (units only)`, ms(median(inner))]);
  return keep;
}

async function restartLatency(run: Run, reps: number): Promise<void> {
  const lat: number[] = [];
  for (let i = 0; i < reps; i++) {
    const unit = `u${i}`;
    const current = [...run.records].reverse().find((r) => r.rec.unit === unit && typeof r.rec.unitPid === 'number' && r.rec.event === 'update');
    const pid = Number(current?.rec.unitPid);
    const t0 = performance.now();
    process.kill(pid, 'SIGKILL');
    const next = await run.waitFor((r) => r.unit === unit && r.event === 'update' && typeof r.unitPid === 'number' && r.unitPid !== pid);
    lat.push(next.at - t0);
  }
  rows.push([`restart latency: kill -9 → new pid reported (median of ${reps}, backoff 0 ms)`, ms(median(lat))]);
}

async function main(): Promise<void> {
  const reps = quick ? 1 : 3;
  await coldStart(10, reps);
  const big = await coldStart(100, reps);
  if (!big) throw new Error('no run kept');
  const pid = big.child.pid as number;
  const reaperPid = Number(big.records.find((r) => r.rec.msg === 'supervisor running')?.rec.reaperPid);
  await restartLatency(big, quick ? 3 : 10);
  await new Promise((r) => setTimeout(r, 1000));
  rows.push(['supervisor RSS with 100 units', `${(rssBytes(pid) / 2 ** 20).toFixed(1)} MiB`]);
  if (Number.isFinite(reaperPid)) rows.push(['reaper (bash) RSS', `${(rssBytes(reaperPid) / 2 ** 20).toFixed(1)} MiB`]);
  const idleMs = quick ? 5_000 : 20_000;
  rows.push([`supervisor CPU, idle, 100 units (${idleMs / 1000} s)`, `${(await cpuPercent(pid, idleMs)).toFixed(2)} % of a core`]);
  await big.stop();

  for (const [label, policy] of [
    ['restarted every 100 ms without limit', 'restart { policy: "always" backoff: "100ms" max_backoff: "100ms" max_restarts: 1000000 window: "1s" }'],
    ['default policy (ends in crashloop)', ''],
  ] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'ens-bench-'));
    dirs.push(dir);
    const file = join(dir, 'system.ensemble');
    writeFileSync(file, ensemble(10, `runner crasher "false" { ${policy} }\n`));
    const run = startRun(dir, file);
    await run.waitFor((r) => r.unit === 'crasher' && r.event === 'state' && r.state === 'backoff');
    const windowMs = quick ? 5_000 : 20_000;
    const before = run.records.filter((r) => r.rec.unit === 'crasher' && r.rec.event === 'state' && r.rec.state === 'starting').length;
    const cpu = await cpuPercent(run.child.pid as number, windowMs);
    const starts = run.records.filter((r) => r.rec.unit === 'crasher' && r.rec.event === 'state' && r.rec.state === 'starting').length - before;
    rows.push([`supervisor CPU while one unit crash-loops, ${label} (${windowMs / 1000} s, ${starts} starts)`, `${cpu.toFixed(2)} % of a core`]);
    await run.stop();
  }
}

try {
  await main();
  console.log('| figure | value |\n|---|---|');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log(`\nCLI: ${cliCommand().length === 1 ? 'dist build' : 'sources through tsx'}; Node ${process.version}; ${quick ? 'quick run' : 'full run'}.`);
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

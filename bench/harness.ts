import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEnvironment, type EnvironmentInfo } from './environment.js';
import { Instance, type BenchContext, type InstanceSpec } from './instance.js';
import type { MetricId } from './metrics.js';
import type { BenchOptions } from './options.js';
import type { Peer } from './peers/peer.js';
import { selectPeers } from './peers/registry.js';
import { LeftoverError, ProcessTracker, sleep, type Leftover } from './process-tracker.js';
import { evaluateTargets, type SampleTable, type TargetResult } from './targets.js';
import { measureColdStart, nsToMs } from './workloads/cold-start.js';
import { measureCrashLoop } from './workloads/crash-loop.js';
import { measureFootprint } from './workloads/footprint.js';
import { measureIdleCpu } from './workloads/idle-cpu.js';
import { runLaterStage, type LaterStageResult } from './workloads/later-stage.js';
import { measureRestartLatency, restartMany, SETTLED_MS } from './workloads/restart-latency.js';
import { measureStopAll } from './workloads/stop-all.js';

/** The column under which Ensemble with a health probe on every unit is reported. */
export const ENSEMBLE_PROBES = 'ensemble+probes';

/** A measurement that failed (the figure is missing from the tables, the reason is here). */
export interface BenchError {
  readonly workload: string;
  readonly peer: string;
  readonly rep: number;
  readonly message: string;
}

/** Everything one harness run produced (JSON-serializable). */
export interface BenchResult {
  readonly options: BenchOptions;
  readonly environment: EnvironmentInfo;
  /** Table columns: the peers measured, plus `ensemble+probes` when Ensemble ran. */
  readonly columns: string[];
  readonly unavailable: Array<{ peer: string; reason: string }>;
  readonly samples: SampleTable;
  readonly errors: BenchError[];
  readonly laterStage: LaterStageResult[];
  readonly targets: TargetResult[];
  /** Processes found alive after their peer was shut down (killed by pid); must be empty. */
  readonly leftovers: Leftover[];
  readonly loadAfter: number[];
  /** The run's temporary directory (removed at the end). */
  readonly root: string;
  readonly durationS: number;
}

/** Timeouts that only catch a hung peer; never part of a figure. */
const START_TIMEOUT_MS = 60_000;
const RESTART_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 60_000;

/** Run every workload for every selected peer, alternating peers inside each repetition. */
export async function runBench(options: BenchOptions, repoRoot: string, say: (line: string) => void): Promise<BenchResult> {
  const started = Date.now();
  const selected = selectPeers(options.peers);
  if (options.install && selected.some((p) => p.unavailable({ repoRoot }) !== undefined && ['supervisord', 'runit', 's6'].includes(p.name))) {
    say('installing peers: bench/install-peers.sh');
    spawnSync('bash', [join(repoRoot, 'bench', 'install-peers.sh')], { stdio: 'inherit' });
  }
  if (options.build && selected.some((p) => p.name === 'ensemble')) {
    say('building Ensemble: npm run build');
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'inherit' });
    if (build.status !== 0) say('warning: npm run build failed; measuring the dist/ that is there');
  }
  const unavailable: BenchResult['unavailable'] = [];
  const peers: Peer[] = [];
  for (const p of selected) {
    const reason = p.unavailable({ repoRoot });
    if (reason) unavailable.push({ peer: p.name, reason });
    else peers.push(p);
  }
  const environment = describeEnvironment(peers, repoRoot);

  const root = mkdtempSync(join(tmpdir(), 'ensbench-'));
  const unitBin = join(root, 'bin', 'ensbench-unit');
  mkdirSync(join(root, 'bin'));
  execFileSync('cc', ['-O2', '-o', unitBin, join(repoRoot, 'bench', 'units', 'unit.c')], { stdio: 'inherit' });
  const tracker = new ProcessTracker(root, unitBin);
  const ctx: BenchContext = { repoRoot, root, unitBin, tracker };
  // Interrupted (Ctrl-C, SIGTERM): kill what this run started, by pid, and remove its files.
  const onSignal = (signal: NodeJS.Signals): void => {
    say(`${signal}: cleaning up`);
    void tracker.killSurvivors().finally(() => {
      rmSync(root, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const samples: SampleTable = {};
  const errors: BenchError[] = [];
  const leftovers: Leftover[] = [];
  const add = (metric: MetricId, peer: string, ...values: number[]): void => {
    const table = (samples[metric] ??= {});
    (table[peer] ??= []).push(...values);
  };
  /** Run one measurement; record its failure instead of stopping the run. */
  const attempt = async (workload: string, peer: string, rep: number, body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (error) {
      const message = (error as Error).message;
      errors.push({ workload, peer, rep, message });
      say(`  ${peer}: ERROR ${message}`);
      if (error instanceof LeftoverError) leftovers.push(...error.leftovers);
    }
  };
  /** Start, measure, and always shut down (a shutdown that leaves processes is an error of its own). */
  const withInstance = async (peer: Peer, spec: InstanceSpec, body: (i: Instance) => Promise<void>): Promise<void> => {
    const instance = Instance.start(peer, spec, ctx);
    try {
      await body(instance);
    } finally {
      await attempt('shutdown', peer.name, 0, () => instance.shutdown());
    }
  };
  const settle = async (instance: Instance): Promise<void> => {
    const newest = [...instance.log.latest().values()].reduce((m, s) => (s.atNs > m ? s.atNs : m), 0n);
    const age = nsToMs(process.hrtime.bigint() - newest);
    if (age < SETTLED_MS) await sleep(SETTLED_MS - age);
  };

  const names = peers.map((p) => p.name).join(', ');
  try {
    // The small cold start is its own cycle only when it differs from N.
    const smallReps = options.nSmall === options.n ? 0 : options.reps;
    if (smallReps > 0) say(`workload 1: cold start, N=${options.nSmall} (${names})`);
    for (let rep = 1; rep <= smallReps; rep++) {
      for (const peer of peers) {
        await attempt('cold start small', peer.name, rep, () =>
          withInstance(peer, { units: options.nSmall }, async (i) => {
            const cold = await measureColdStart(i, START_TIMEOUT_MS);
            add('coldSmall', peer.name, cold.allRunningMs);
            if (cold.startReturnedMs !== undefined) add('coldSmallReturn', peer.name, cold.startReturnedMs);
            const stop = await measureStopAll(i, STOP_TIMEOUT_MS, true);
            add('stopSmall', peer.name, stop);
            say(`  rep ${rep} ${peer.name}: all running ${cold.allRunningMs.toFixed(1)} ms, stop ${stop.toFixed(1)} ms`);
          }),
        );
      }
    }

    say(`workloads 1-5: N=${options.n}: cold start, footprint, idle CPU ${options.idleSeconds} s, restart latency, ${options.restarts} restarts, stop all`);
    for (let rep = 1; rep <= options.reps; rep++) {
      for (const peer of peers) {
        await attempt('lifecycle', peer.name, rep, () =>
          withInstance(peer, { units: options.n }, async (i) => {
            const cold = await measureColdStart(i, START_TIMEOUT_MS);
            add('cold', peer.name, cold.allRunningMs);
            if (cold.startReturnedMs !== undefined) add('coldReturn', peer.name, cold.startReturnedMs);
            await settle(i);
            const before = measureFootprint(i);
            add('rss', peer.name, before.rssKiB / 1024);
            add('pss', peer.name, before.pssKiB / 1024);
            const idle = await measureIdleCpu(i, options.idleSeconds * 1000);
            add('idleCpu', peer.name, idle);
            const latencies = await measureRestartLatency(i, options.restartSamples, RESTART_TIMEOUT_MS);
            add('restart', peer.name, ...latencies);
            await restartMany(i, Math.max(0, options.restarts - options.restartSamples), RESTART_TIMEOUT_MS);
            await settle(i);
            const after = measureFootprint(i);
            add('rssRestarts', peer.name, after.rssKiB / 1024);
            add('pssRestarts', peer.name, after.pssKiB / 1024);
            const stop = await measureStopAll(i, STOP_TIMEOUT_MS);
            add('stop', peer.name, stop);
            say(
              `  rep ${rep} ${peer.name}: all running ${cold.allRunningMs.toFixed(1)} ms, RSS ${(before.rssKiB / 1024).toFixed(1)} → ${(after.rssKiB / 1024).toFixed(1)} MiB ` +
                `(${before.names}), idle ${idle.toFixed(3)}%, restart median ${median(latencies).toFixed(1)} ms, stop ${stop.toFixed(1)} ms`,
            );
          }),
        );
      }
      const ensemble = peers.find((p) => p.name === 'ensemble');
      if (ensemble) {
        await attempt('idle with probes', ENSEMBLE_PROBES, rep, () =>
          withInstance(ensemble, { units: options.n, probes: true }, async (i) => {
            await i.waitAllRunning(START_TIMEOUT_MS);
            await settle(i);
            const f = measureFootprint(i);
            add('rss', ENSEMBLE_PROBES, f.rssKiB / 1024);
            add('pss', ENSEMBLE_PROBES, f.pssKiB / 1024);
            const idle = await measureIdleCpu(i, options.idleSeconds * 1000);
            add('idleCpu', ENSEMBLE_PROBES, idle);
            say(`  rep ${rep} ${ENSEMBLE_PROBES}: idle ${idle.toFixed(3)}%`);
            await measureStopAll(i, STOP_TIMEOUT_MS);
          }),
        );
      }
    }

    say(`workload 6: crash loop, ${options.crashSeconds} s`);
    for (let rep = 1; rep <= options.reps; rep++) {
      for (const peer of peers) {
        await attempt('crash loop', peer.name, rep, () =>
          withInstance(peer, { units: 1, crash: true }, async (i) => {
            const r = await measureCrashLoop(i, options.crashSeconds * 1000, START_TIMEOUT_MS);
            add('crashStarts', peer.name, r.starts);
            add('crashCpu', peer.name, r.cpuPct);
            say(`  rep ${rep} ${peer.name}: ${r.starts} starts, CPU ${r.cpuPct.toFixed(3)}%`);
          }),
        );
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const late = await tracker.killSurvivors();
    leftovers.push(...late);
    if (late.length > 0) say(`LEFTOVER processes at the end (killed by pid): ${late.map((p) => `${p.pid} ${p.comm} (state ${p.state})`).join(', ')}`);
    rmSync(root, { recursive: true, force: true });
  }

  say('workload 7: later-stage figure scripts');
  const laterStage = await runLaterStage(repoRoot, { skip: !options.later, timeoutMs: 10 * 60_000 });
  for (const l of laterStage) say(`  ${l.script}: ${l.status}`);

  const columns = peers.map((p) => p.name);
  if (peers.some((p) => p.name === 'ensemble')) columns.splice(1, 0, ENSEMBLE_PROBES);
  return {
    options,
    environment,
    columns,
    unavailable,
    samples,
    errors,
    laterStage,
    targets: evaluateTargets(samples, options.crashSeconds),
    leftovers,
    loadAfter: loadavg().map((l) => Number(l.toFixed(2))),
    root,
    durationS: Math.round((Date.now() - started) / 1000),
  };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
}

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runSystem } from '../../src/system/run-system.js';
import type { Supervisor } from '../../src/supervisor/supervisor.js';
import type { UnitState } from '../../src/supervisor/lifecycle/unit-state.js';
import type { PluginContext, SystemPlugin } from '../../src/system/system-plugin.js';
import { makePlan, makeUnitSpec } from '../helpers/make-unit-spec.js';
import { isAlive, pidsWithEnv } from '../helpers/processes.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

const homes: TempHome[] = [];
const running: Supervisor[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.shutdown();
  for (const h of homes.splice(0)) h.cleanup();
});

const silent = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));

/** A plugin that records the unit states it saw when it was prepared and started. */
class Probe implements SystemPlugin {
  readonly seen: { prepare?: UnitState[]; start?: UnitState[] } = {};
  constructor(
    readonly name: string,
    readonly afterUnits: boolean,
    private readonly fail: 'prepare' | 'start' | null = null,
  ) {}
  prepare(ctx: PluginContext): void {
    this.seen.prepare = ctx.control.listUnits().map((u) => u.state);
    if (this.fail === 'prepare') throw new Error(`${this.name}: bad configuration`);
  }
  async start(ctx: PluginContext): Promise<void> {
    this.seen.start = ctx.control.listUnits().map((u) => u.state);
    if (this.fail === 'start') throw new Error(`${this.name}: cannot bind`);
  }
  async stop(): Promise<void> {}
}

function run(
  plugins: SystemPlugin[],
  options: { mount?: string; cwd?: (home: TempHome) => string } = {},
): { home: TempHome; finished: Promise<number>; started: Promise<Supervisor> } {
  const home = makeTempHome();
  homes.push(home);
  const cwd = options.cwd?.(home);
  const plan = makePlan(home.file, [
    makeUnitSpec({ name: 'a', command: 'sleep', args: ['1000'], ...(cwd ? { workingDirectory: cwd } : {}) }),
    makeUnitSpec({ name: 'b', command: 'sleep', args: ['1000'] }),
  ]);
  let resolveStarted: (s: Supervisor) => void = () => {};
  const started = new Promise<Supervisor>((r) => (resolveStarted = r));
  const finished = runSystem(
    { file: home.file, fs: options.mount !== undefined, mount: options.mount ?? null, env: { ...process.env, ...home.env } },
    {
      loadPlan: () => Promise.resolve(plan),
      plugins,
      health: null,
      logger: silent,
      handleSignals: false,
      onStarted: (s) => {
        running.push(s);
        resolveStarted(s);
      },
    },
  );
  return { home, finished, started };
}

/** True once unit `name` was ever launched in `home` (its state directory is made right before the spawn). */
function launched(home: TempHome, name: string): boolean {
  return existsSync(home.paths.unitStateDir(name));
}

describe('start-up order of plugins and units', () => {
  it('starts plugins before the units, then the units, then the plugins that come after them', async () => {
    const before = new Probe('before', false);
    const after = new Probe('after', true);
    const r = run([after, before]);
    const supervisor = await r.started;
    await waitFor('both units ready', () => supervisor.listUnits().every((u) => u.state === 'ready'));
    // Every check ran before anything started.
    expect(before.seen.prepare).toEqual(['pending', 'pending']);
    expect(after.seen.prepare).toEqual(['pending', 'pending']);
    // The plugin the units may need was up before they started; the other one came after them.
    expect(before.seen.start).toEqual(['pending', 'pending']);
    expect(after.seen.start?.every((s) => s !== 'pending')).toBe(true);
    await supervisor.shutdown();
    expect(await r.finished).toBe(0);
  });

  it('a failing check stops the run before any unit started', async () => {
    const r = run([new Probe('net', true, 'prepare')]);
    await expect(r.finished).rejects.toThrow('net: bad configuration');
    expect(launched(r.home, 'a')).toBe(false);
    expect(launched(r.home, 'b')).toBe(false);
  });

  it('a plugin that fails after the units started stops them again', async () => {
    const late = new Probe('api', true, 'start');
    const r = run([late]);
    await expect(r.finished).rejects.toThrow('api: cannot bind');
    expect(late.seen.start?.every((s) => s !== 'pending')).toBe(true);
    expect(launched(r.home, 'a')).toBe(true);
    // The run ended only after the units it had started were stopped again.
    expect(pidsWithEnv(`ENSEMBLE_SUPERVISOR=${r.home.paths.apiAddress}`).filter(isAlive)).toEqual([]);
  });

  it('refuses a unit whose working directory is inside the file view directory of the run', async () => {
    // No file view plugin here: the refusal follows from the options alone, mounted or not.
    const mount = join(tmpdir(), `ens-mount-${process.pid}`);
    mkdirSync(join(mount, 'units'), { recursive: true });
    try {
      const r = run([], { mount, cwd: () => join(mount, 'units') });
      const supervisor = await r.started;
      await waitFor('a failed, b ready', () => {
        const [a, b] = supervisor.listUnits();
        return a?.state === 'failed' && b?.state === 'ready' ? a : null;
      });
      expect(supervisor.getUnit('a').error).toBe(
        `working directory ${join(mount, 'units')} is inside the file view mounted at ${mount}; a unit cannot run from there (the supervisor serving the mount would deadlock)`,
      );
      await supervisor.shutdown();
      expect(await r.finished).toBe(0);
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });
});

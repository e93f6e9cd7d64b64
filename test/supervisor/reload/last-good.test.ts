import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { lastGoodFile, loadLastGoodPlan } from '../../../src/supervisor/reload/last-good-plan.js';
import { waitFor } from '../../helpers/wait-for.js';
import { attach, makeTempHome, type ReloadSystem } from './reload-harness.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

async function run(home: ReturnType<typeof makeTempHome>, args: string[] = [], waitSocket = true): Promise<ReloadSystem> {
  const s = await attach(home, args, { waitSocket });
  cleanups.push(() => s.cleanup());
  return s;
}

async function stop(s: ReloadSystem): Promise<void> {
  s.child.process.kill('SIGTERM');
  expect((await s.child.exited).code).toBe(0);
}

const GOOD = `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "1001" }\n`;
const BROKEN = `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { depends_on: [ghost] }\n`;

describe('supervisor run --last-good', { timeout: 240_000 }, () => {
  it('runs the last applied plan when the file no longer validates, says so, and uses the file again once it validates', async () => {
    const home = makeTempHome();
    cleanups.push(() => home.cleanup());
    home.write('system.ensemble', GOOD);
    const first = await run(home);
    await first.settled();
    await waitFor('the last good plan', () => existsSync(lastGoodFile(home.paths.stateDir)));
    // A reload stores what it applied.
    home.write('system.ensemble', `${GOOD}runner c "sleep" { arguments: "1002" }\n`);
    await first.client.reload('', false);
    expect(loadLastGoodPlan(home.paths.stateDir).plan.units.map((u) => u.name)).toEqual(['a', 'b', 'c']);
    await stop(first);

    home.write('system.ensemble', BROKEN);
    // Without --last-good: nothing starts, exit 1.
    const plain = await run(home, [], false);
    expect((await plain.child.exited).code).toBe(1);
    expect(plain.child.stderr()).toContain('system.ensemble:2:33: depends_on: unknown unit "ghost"');

    const fallback = await run(home, ['--last-good']);
    const units = await fallback.settled();
    expect(units.map((u) => u.name)).toEqual(['a', 'b', 'c']);
    const warning = await fallback.child.waitRecord('the --last-good warning', (r) => r.level === 40 && String(r.msg).startsWith('WARNING'));
    expect(warning.errors).toEqual([`${home.file}:2:33: depends_on: unknown unit "ghost"`]);
    expect(String(warning.msg)).toContain('running the last good plan applied at');
    expect(String(warning.msg)).toContain('depends_on: unknown unit "ghost"');
    // A reload of the still broken file changes nothing; once fixed, it applies.
    await expect(fallback.client.reload('', false)).rejects.toMatchObject({ code: 'ENS_E_PLAN' });
    home.write('system.ensemble', GOOD);
    expect((await fallback.client.reload('', false)).removed).toEqual(['c']);
    await stop(fallback);

    // The file validates: --last-good uses it, without a warning.
    home.write('system.ensemble', `runner z "sleep" { arguments: "1003" }\n`);
    const fixed = await run(home, ['--last-good']);
    expect((await fixed.settled()).map((u) => u.name)).toEqual(['z']);
    expect(fixed.child.records.some((r) => String(r.msg).startsWith('WARNING'))).toBe(false);
    await stop(fixed);
  });

  it('without a stored plan, --last-good fails like a plain run and says why', async () => {
    const home = makeTempHome();
    cleanups.push(() => home.cleanup());
    home.write('system.ensemble', BROKEN);
    const s = await run(home, ['--last-good'], false);
    expect((await s.child.exited).code).toBe(1);
    expect(s.child.stderr()).toContain('system.ensemble: 1 error; nothing was started');
    expect(s.child.records.some((r) => String(r.msg).includes('no last good plan'))).toBe(true);
  });
});

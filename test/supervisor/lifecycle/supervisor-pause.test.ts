import { afterEach, describe, expect, it } from 'vitest';
import { makeUnitSpec, nodeUnit } from '../../helpers/make-unit-spec.js';
import { isAlive } from '../../helpers/processes.js';
import { spawnPlanSupervisor, type LogRecord, type SupervisorChild } from '../../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';
import { waitFor } from '../../helpers/wait-for.js';

// Issue 12 #9: the real supervisor (a child process) is SIGSTOPped for 10 s while a healthy
// `watchdog: 3s` unit keeps sending WATCHDOG=1 every 0.5 s. Its keep-alives wait in the notify
// socket; after SIGCONT the expired watchdog must take them in before it judges.
// A second unit goes silent (SIGUSR1) just before the pause: it is hung, and is still killed.
// A third is judged by an exec probe that is in flight most of the time (`sleep 0.4` every
// 0.5 s, timeout 1 s, one failure is unhealthy): the probe that ended during the pause counts
// as passed, not as timed out. An SDK unit (it watches its supervisor and exits when it is lost)
// must not take the pause for a loss.

const PAUSE_MS = 10_000;
const REPETITIONS = 3;

let home: TempHome | null = null;
let sup: SupervisorChild | null = null;
afterEach(async () => {
  if (sup && isAlive(sup.pid)) {
    try {
      process.kill(sup.pid, 'SIGCONT');
    } catch {
      // gone
    }
  }
  sup?.kill();
  if (sup) await sup.exited;
  sup = null;
  home?.cleanup();
  home = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isState = (unit: string, state: string) => (r: LogRecord) => r.unit === unit && r.event === 'state' && r.state === state;

describe('a paused supervisor (SIGSTOP/SIGCONT) kills no healthy unit', () => {
  it(
    `keeps a healthy watchdog unit, a probed unit and an SDK unit through ${REPETITIONS} pauses of ${PAUSE_MS / 1000}s, and still kills a hung one`,
    async () => {
      home = makeTempHome();
      sup = spawnPlanSupervisor(home, [
        nodeUnit('dog', 'notify-watchdog.mjs', { args: ['500'], readiness: 'notify', watchdogMs: 3000, restart: { policy: 'always', backoffMs: 50 } }),
        nodeUnit('mute', 'notify-watchdog.mjs', { args: ['500'], readiness: 'notify', watchdogMs: 3000, restart: { policy: 'always', backoffMs: 50, maxRestarts: 100 } }),
        nodeUnit('echo', 'sdk-echo.mjs', { readiness: 'notify' }),
        makeUnitSpec({
          name: 'probed',
          command: 'sleep',
          args: ['100000'],
          readiness: 'health',
          health: { probe: 'exec:sleep 0.4', intervalMs: 500, timeoutMs: 1000, failures: 1, startPeriodMs: 0 },
        }),
      ]);
      const s = sup;
      const dog = await s.waitRecord('dog ready', isState('dog', 'ready'));
      const dogPid = dog.unitPid as number;
      const probed = await s.waitRecord('probed ready', isState('probed', 'ready'));
      const echo = await s.waitRecord('echo ready', isState('echo', 'ready'));
      for (let round = 1; round <= REPETITIONS; round++) {
        const readies = s.records.filter(isState('mute', 'ready'));
        expect(readies.length).toBe(round);
        const mutePid = readies[readies.length - 1]!.unitPid as number;
        await sleep(1200); // a few keep-alives of both units reach the supervisor
        process.kill(mutePid, 'SIGUSR1');
        await waitFor('mute to go silent', () => s.records.filter((r) => r.unit === 'mute' && r.msg === 'silent from now on').length === round);
        process.kill(s.pid, 'SIGSTOP');
        await sleep(PAUSE_MS);
        process.kill(s.pid, 'SIGCONT');
        // The hung unit is killed for its watchdog once the supervisor runs again (after a grace)…
        await s.waitRecord(`mute killed in round ${round}`, (r) => r.unit === 'mute' && r.unitPid === mutePid && r.state === 'stopping' && /watchdog timeout/.test(String(r.msg)), 30_000);
        await s.waitRecord(`mute back in round ${round}`, () => s.records.filter(isState('mute', 'ready')).length > round, 30_000);
        // …while the healthy one, whose keep-alives waited in the socket, is left alone.
        const killed = s.records.slice(s.records.indexOf(dog) + 1).filter((r) => r.unit === 'dog' && r.event === 'state');
        expect(killed.map((r) => r.msg)).toEqual([]);
        expect(isAlive(dogPid)).toBe(true);
        const probeVerdicts = s.records.slice(s.records.indexOf(probed) + 1).filter((r) => r.unit === 'probed' && r.event === 'state');
        expect(probeVerdicts.map((r) => r.msg)).toEqual([]);
        const echoChanges = s.records.slice(s.records.indexOf(echo) + 1).filter((r) => r.unit === 'echo' && r.event === 'state');
        expect(echoChanges.map((r) => r.msg)).toEqual([]);
        expect(isAlive(echo.unitPid as number)).toBe(true);
      }
      // Past every deadline once more with the supervisor running: still nothing for dog.
      await sleep(4000);
      expect(s.records.filter((r) => r.unit === 'dog' && /watchdog/.test(String(r.msg)))).toEqual([]);
      expect(s.records.filter(isState('dog', 'ready')).length).toBe(1);
    },
    REPETITIONS * (PAUSE_MS + 40_000),
  );
  it('a ready timeout that expires during a pause takes in the READY=1 sent meanwhile', async () => {
    home = makeTempHome();
    // READY=1 comes 2 s after the start; the ready timeout is 3 s; the supervisor is stopped
    // from the spawn for 10 s, so the datagram waits in the socket past the timeout.
    sup = spawnPlanSupervisor(home, [
      nodeUnit('late', 'notify-watchdog.mjs', { args: ['500', '2000'], readiness: 'notify', readyTimeoutMs: 3000, restart: { policy: 'never' } }),
    ]);
    const s = sup;
    const started = await s.waitRecord('late spawned', (r) => r.unit === 'late' && typeof r.msg === 'string' && r.msg.startsWith('started, pid'));
    process.kill(s.pid, 'SIGSTOP');
    await sleep(PAUSE_MS);
    process.kill(s.pid, 'SIGCONT');
    const ready = await s.waitRecord('late ready', (r) => r.unit === 'late' && r.event === 'state' && r.state !== 'starting', 30_000);
    expect(ready.msg).toBe('ready (notified)');
    expect(s.records.some((r) => r.unit === 'late' && /not ready within/.test(String(r.msg)))).toBe(false);
    expect(isAlive(started.unitPid as number)).toBe(true);
  }, PAUSE_MS + 60_000);
});

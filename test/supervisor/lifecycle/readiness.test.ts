import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultHealthServices } from '../../../src/system/run-system.js';
import { fixture, makeUnitSpec, nodeUnit } from '../../helpers/make-unit-spec.js';
import { isAlive } from '../../helpers/processes.js';
import { startTestSupervisor, type TestSupervisor } from '../../helpers/test-supervisor.js';
import { makeTempHome } from '../../helpers/temp-home.js';
import { waitFor } from '../../helpers/wait-for.js';

let t: TestSupervisor | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const notifyScript = fixture('notify-ready.sh');

describe('readiness', () => {
  it('notify: an unmodified script signals READY=1 (and STATUS=) over NOTIFY_SOCKET datagrams', async () => {
    t = startTestSupervisor([makeUnitSpec({ name: 'daemon', command: notifyScript, readiness: 'notify' })]);
    const ready = await t.waitState('daemon', 'ready');
    expect(ready.pid).not.toBeNull();
    // The unit stayed `starting` until the datagram arrived (its first line was printed before it).
    expect(t.firstEvent('daemon', 'starting')).toBeLessThan(t.firstEvent('daemon', 'ready'));
    await waitFor('STATUS lines', () => t?.lines.some((l) => l.unit === 'daemon' && l.stream === 'supervisor' && l.line === 'status: serving'));
    expect(t.lines.some((l) => l.stream === 'supervisor' && l.line === 'status: warming up')).toBe(true);
  });

  it('notify: the SDK path (markReady) makes a unit ready; other readiness modes ignore it', async () => {
    t = startTestSupervisor([
      nodeUnit('sdk', 'unit-ready.mjs', { readiness: 'notify', args: ['--no-notify'] }),
      makeUnitSpec({ name: 'plain', command: 'sleep', args: ['1000'], readiness: 'started' }),
    ]);
    await t.waitUnit('sdk', 'spawned', (s) => s.state === 'starting' && s.pid !== null);
    t.supervisor.markReady('sdk');
    await t.waitState('sdk', 'ready');
    expect(() => t?.supervisor.markReady('nope')).toThrow(expect.objectContaining({ code: 'ENS_E_UNIT_NOT_FOUND' }));
  });

  it('started: ready as soon as the process exists', async () => {
    t = startTestSupervisor([makeUnitSpec({ name: 's', command: 'sleep', args: ['1000'], readiness: 'started' })]);
    const s = await t.waitState('s', 'ready');
    expect(isAlive(s.pid as number)).toBe(true);
  });

  it('a start not ready within ready_timeout is a failed start: the group is killed and the policy applies', async () => {
    t = startTestSupervisor([
      makeUnitSpec({ name: 'late', command: notifyScript, args: ['--never'], readiness: 'notify', readyTimeoutMs: 400, restart: { policy: 'never' } }),
      makeUnitSpec({ name: 'retry', command: notifyScript, args: ['--never'], readiness: 'notify', readyTimeoutMs: 300, restart: { policy: 'on-failure', backoffMs: 50, maxRestarts: 1 } }),
    ]);
    const first = await t.waitUnit('late', 'spawned', (s) => s.pid !== null);
    const late = await t.waitState('late', 'stopped');
    expect(late.error).toBe('not ready within 400ms');
    expect(late.exitSignal).toBe('SIGTERM');
    expect(isAlive(first.pid as number)).toBe(false);
    const retry = await t.waitState('retry', 'crashloop');
    expect(retry.restarts).toBe(1);
    expect(retry.error).toMatch(/^not ready within 300ms; crash loop/);
  });

  it('watchdog: a ready unit that stops sending WATCHDOG=1 is killed, then its restart policy applies', async () => {
    t = startTestSupervisor([
      makeUnitSpec({ name: 'dog', command: notifyScript, args: ['--watchdog', '3'], readiness: 'notify', watchdogMs: 1500, restart: { policy: 'never' } }),
    ]);
    const ready = await t.waitState('dog', 'ready');
    await waitFor('keep-alives to stop', () => t?.lines.some((l) => l.unit === 'dog' && l.line === 'no more keep-alives'));
    const dead = await t.waitState('dog', 'stopped');
    expect(dead.error).toBe('watchdog timeout: no WATCHDOG=1 within 1.5s');
    expect(isAlive(ready.pid as number)).toBe(false);
  });
});

describe('readiness: health (real probes from src/health)', () => {
  it('is ready at the first passing probe, degraded while it fails, restarted when unhealthy', async () => {
    const scratch = makeTempHome();
    const flag = join(scratch.dir, 'healthy');
    const health = defaultHealthServices(scratch.paths, pino({ level: 'silent' }));
    try {
      t = startTestSupervisor(
        [
          makeUnitSpec({
            name: 'svc',
            command: 'sleep',
            args: ['1000'],
            readiness: 'health',
            readyTimeoutMs: 60_000,
            health: { probe: `exec:test -e ${flag}`, intervalMs: 200, timeoutMs: 2000, failures: 2, startPeriodMs: 0 },
            restart: { backoffMs: 50 },
          }),
        ],
        { health },
      );
      const starting = await t.waitUnit('svc', 'failing probes while starting', (s) => s.state === 'starting' && s.health === 'failing');
      expect(starting.pid).not.toBeNull();
      writeFileSync(flag, '');
      const ready = await t.waitState('svc', 'ready');
      expect(ready.health).toBe('passing');
      const seen = t.events.length;
      rmSync(flag);
      // Degraded lasts one probe interval (200 ms) before the unit is stopped as unhealthy: wait on the
      // recorded changes, not on the current state, which a loaded machine may poll too late to see.
      const degraded = await waitFor('svc to go degraded', () => t?.events.slice(seen).find((e) => e.name === 'svc' && e.state === 'degraded'));
      expect(degraded.error).toMatch(/^health probe exec:test .* failing/);
      // Relative to the ready instance: on a loaded machine the probes may also have failed twice
      // while it first started (before the flag was written), which restarted it once already.
      const restarted = await t.waitUnit('svc', 'restarted after unhealthy', (s) => s.restarts === ready.restarts + 1 && s.pid !== null && s.pid !== ready.pid);
      expect(restarted.error).toMatch(/^unhealthy: /);
      expect(isAlive(ready.pid as number)).toBe(false);
      writeFileSync(flag, '');
      await t.waitState('svc', 'ready');
      expect(existsSync(flag)).toBe(true);
    } finally {
      await t?.close();
      t = null;
      scratch.cleanup();
    }
  });
});

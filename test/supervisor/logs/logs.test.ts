import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../../src/supervisor/logs/log-line.js';
import { nodeUnit } from '../../helpers/make-unit-spec.js';
import { startTestSupervisor, type TestSupervisor } from '../../helpers/test-supervisor.js';
import { waitFor } from '../../helpers/wait-for.js';

let t: TestSupervisor | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('unit logs', () => {
  it('captures every stdout/stderr line, tagged; long lines split, binary made safe, the partial last line flushed at exit', async () => {
    t = startTestSupervisor([nodeUnit('chatty', 'unit-chatty.mjs', { args: ['2000', '100000', '--exit'], restart: { policy: 'never' } })], { ringLines: 5000 });
    await t.waitState('chatty', 'stopped');
    const out = t.lines.filter((l) => l.unit === 'chatty' && l.stream !== 'supervisor');
    const numbered = out.filter((l) => l.line.startsWith('line '));
    expect(numbered).toHaveLength(2000);
    expect(numbered.map((l) => Number(l.line.split(' ')[1]))).toEqual([...Array(2000).keys()]);
    // 100 005 bytes: split in 16 KiB pieces, nothing lost.
    const longStart = out.findIndex((l) => l.line.startsWith('LONG:'));
    const pieces = out.slice(longStart, longStart + 7);
    expect(pieces.map((l) => Buffer.byteLength(l.line)).every((n) => n <= 16 * 1024)).toBe(true);
    expect(pieces.map((l) => l.line).join('')).toBe(`LONG:${'y'.repeat(100000)}`);
    const binary = out.find((l) => l.line.startsWith('BIN'));
    expect(binary?.line).toBe('BIN\uFFFD\uFFFD\uFFFD\u001b[31m\uFFFD\uFFFD');
    expect(out.find((l) => l.stream === 'stderr')?.line).toBe('an error line');
    expect(out[out.length - 1]?.line === 'partial last line' || out.some((l) => l.line === 'partial last line')).toBe(true);
    expect(out.every((l) => l.stream === 'stdout' || l.line === 'an error line')).toBe(true);

    // pino: one record per line, tagged with unit and stream.
    const records = t.logRecords.filter((r) => r.unit === 'chatty' && r.stream === 'stderr');
    expect(records).toEqual([expect.objectContaining({ unit: 'chatty', stream: 'stderr', msg: 'an error line', level: 30 })]);
    // The supervisor's own messages name the unit.
    expect(t.logRecords.some((r) => r.unit === 'chatty' && r.event === 'state' && r.state === 'stopped' && r.msg === 'exited with code 0; not restarted (restart policy never)')).toBe(true);

    // The log file: every line with time and stream.
    const file = readFileSync(join(t.home.paths.logDir, 'chatty.log'), 'utf8').split('\n');
    expect(file.filter((l) => / stdout line \d+ /.test(l))).toHaveLength(2000);
    expect(file.some((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z stderr an error line$/.test(l))).toBe(true);
    expect(file.some((l) => l.endsWith(' stdout partial last line'))).toBe(true);
  });

  it('keeps a ring buffer for tailLogs and streams new lines to subscribers', async () => {
    t = startTestSupervisor([nodeUnit('chatty', 'unit-chatty.mjs', { args: ['50', '10'] }), nodeUnit('ticker', 'unit-ready.mjs', { args: ['--tick'] })], { ringLines: 20 });
    await waitFor('chatty output', () => t?.lines.some((l) => l.unit === 'chatty' && l.line === 'an error line'));
    const seen: LogLine[] = [];
    const off = t.supervisor.subscribeLogs('ticker', (l) => seen.push(l));
    await waitFor('a tick', () => seen.some((l) => l.line === 'tick'));
    off();
    expect(seen.every((l) => l.unit === 'ticker')).toBe(true);
    const tail = t.supervisor.tailLogs('chatty', 5);
    expect(tail).toHaveLength(5);
    expect(tail.map((l) => l.unit)).toEqual(Array(5).fill('chatty'));
    expect(t.supervisor.tailLogs('chatty', 1000).length).toBeLessThanOrEqual(20);
    expect(() => t?.supervisor.tailLogs('nope', 1)).toThrow(expect.objectContaining({ code: 'ENS_E_UNIT_NOT_FOUND' }));
  });

  it('rotates the per-unit log file by size and keeps `keep` old files', async () => {
    t = startTestSupervisor([nodeUnit('chatty', 'unit-chatty.mjs', { args: ['3000', '10', '--exit'], restart: { policy: 'never' }, logs: { maxBytes: 20_000, keep: 2 } })]);
    await t.waitState('chatty', 'stopped');
    const base = join(t.home.paths.logDir, 'chatty.log');
    await waitFor('rotated files', () => existsSync(`${base}.2`));
    expect(existsSync(`${base}.3`)).toBe(false);
    for (const f of [base, `${base}.1`, `${base}.2`]) expect(statSync(f).size).toBeLessThanOrEqual(20_000);
    // The newest lines are in the current file, older ones in .1.
    expect(readFileSync(base, 'utf8')).toContain('partial last line');
    const older = readFileSync(`${base}.1`, 'utf8');
    expect(older).toMatch(/stdout line \d+ /);
  });
});

import { describe, expect, it } from 'vitest';
import { UnitQueue } from '../../../src/supervisor/lifecycle/unit-queue.js';

/** A task that records its start and end and finishes when `release` is called. */
function gate(log: string[], name: string): { task: () => Promise<string>; release: () => void } {
  let release: () => void = () => {};
  const done = new Promise<void>((r) => (release = r));
  return {
    task: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    release: () => release(),
  };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('UnitQueue', () => {
  it('runs the tasks of one unit one at a time, in call order, each to its end', async () => {
    const q = new UnitQueue();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const pa = q.run(['u'], a.task);
    const pb = q.run(['u'], b.task);
    await turn();
    expect(log).toEqual(['start a']);
    expect(q.busy('u')).toBe(true);
    b.release();
    await turn();
    expect(log).toEqual(['start a']);
    a.release();
    expect(await Promise.all([pa, pb])).toEqual(['a', 'b']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
    await turn();
    expect(q.busy('u')).toBe(false);
  });

  it('lets tasks of other units run meanwhile', async () => {
    const q = new UnitQueue();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const pa = q.run(['u'], a.task);
    const pb = q.run(['v'], b.task);
    await turn();
    expect(log).toEqual(['start a', 'start b']);
    b.release();
    await pb;
    a.release();
    await pa;
  });

  it('a task holding several units waits for each and blocks each; crossing orders do not deadlock', async () => {
    const q = new UnitQueue();
    const log: string[] = [];
    const onU = gate(log, 'u');
    const both = gate(log, 'uv');
    const onV = gate(log, 'v');
    const p1 = q.run(['u'], onU.task);
    const p2 = q.run(['v', 'u'], both.task);
    const p3 = q.run(['v'], onV.task);
    await turn();
    expect(log).toEqual(['start u']);
    onU.release();
    await p1;
    await turn();
    expect(log).toEqual(['start u', 'end u', 'start uv']);
    onV.release();
    both.release();
    await Promise.all([p2, p3]);
    expect(log).toEqual(['start u', 'end u', 'start uv', 'end uv', 'start v', 'end v']);
  });

  it('a failed task rejects its caller only; the next one runs', async () => {
    const q = new UnitQueue();
    const failed = q.run(['u'], async () => {
      throw new Error('boom');
    });
    const next = q.run(['u'], async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('ran');
  });
});

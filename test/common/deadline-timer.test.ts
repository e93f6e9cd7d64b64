import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { DeadlineTimer, STALL_THRESHOLD_MS } from '../../src/common/deadline-timer.js';
import { waitFor } from '../helpers/wait-for.js';

// The event loop of this test process is really blocked (spawnSync of a child that sleeps), as a
// SIGSTOP or a long GC pause would block the supervisor's; what the child sends meanwhile waits
// in a real socket, like keep-alives in a notify socket.

/** Block this process's event loop for `ms` while a child sends one datagram to `port` at the start. */
function stallWhileSending(port: number, ms: number): void {
  const script = `const s=require('node:dgram').createSocket('udp4');s.send('keep-alive',${port},'127.0.0.1',()=>{s.close();setTimeout(()=>{},${ms});});`;
  const r = spawnSync(process.execPath, ['-e', script], { stdio: 'ignore', timeout: ms + 30_000 });
  expect(r.status).toBe(0);
}

describe('DeadlineTimer', () => {
  it('expires when nothing refreshes it', async () => {
    let fired = 0;
    DeadlineTimer.after(20, () => fired++);
    await waitFor('the deadline', () => fired === 1);
  });

  it('does not fire once cleared, and a refresh starts the period again', async () => {
    let fired = 0;
    const d = DeadlineTimer.after(50, () => fired++);
    d.clear();
    expect(d.armed).toBe(false);
    const r = DeadlineTimer.after(300, () => fired++);
    r.refresh();
    expect(r.armed).toBe(true);
    await waitFor('the refreshed deadline', () => fired === 1);
    expect(r.armed).toBe(false);
  });

  it('after a stall, takes in the keep-alive that arrived meanwhile before it judges', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    let expired = 0;
    let keepAlives = 0;
    const deadline = DeadlineTimer.after(200, () => expired++);
    socket.on('message', () => {
      keepAlives++;
      deadline.refresh();
    });
    try {
      stallWhileSending(socket.address().port, 200 + STALL_THRESHOLD_MS + 500);
      await waitFor('the keep-alive to be read', () => keepAlives === 1);
      expect(expired).toBe(0);
      // Nothing else arrives: the refreshed deadline expires normally.
      await waitFor('the deadline after the keep-alive', () => expired === 1);
    } finally {
      deadline.clear();
      socket.close();
    }
  });

  it('after a stall with nothing arriving, grants a grace instead of judging at once, then judges', async () => {
    let expired = 0;
    let firedAt = 0;
    const deadline = DeadlineTimer.after(300, () => {
      expired++;
      firedAt = performance.now();
    });
    try {
      // Block the loop well past the deadline (a child that sends nowhere useful).
      stallWhileSending(9, 300 + STALL_THRESHOLD_MS + 500);
      const resumedAt = performance.now();
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(expired).toBe(0);
      await waitFor('the verdict after the grace', () => expired === 1);
      // The grace (300 ms here) ran from the resume, not from the original arming.
      expect(firedAt - resumedAt).toBeGreaterThanOrEqual(250);
    } finally {
      deadline.clear();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { sdkRunner, startSystem, waitLogLine, type RunningSystem } from '../helpers/system-harness.js';

let sys: RunningSystem | null = null;
afterEach(async () => {
  await sys?.close();
  sys = null;
});

describe('SDK units find and call each other', () => {
  it('a unit finds another by family and keeps reaching it after it restarts on a new port', async () => {
    sys = await startSystem(sdkRunner('echo', 'sdk-echo.mjs') + sdkRunner('caller', 'sdk-caller.mjs', 'depends_on: [echo]'));
    const before = await sys.client.find('demo.echo.v1.Echo');
    expect(before.unit).toBe('echo');
    expect(before.name).toBe('echo');
    expect(before.ready).toBe(true);
    const echoPid = sys.supervisor.getUnit('echo').pid;
    await waitLogLine(sys, 'caller', new RegExp(`reply from echo pid ${echoPid}: hello ping`));

    const restartedAt = Date.now();
    const after = await sys.client.control('restart', 'echo');
    expect(after.state).toBe('ready');
    expect(after.pid).not.toBe(echoPid);
    const moved = await sys.client.find('echo');
    expect(moved.address).not.toBe(before.address);
    // The caller never restarted: its SDK client followed the service to the new address.
    await waitLogLine(sys, 'caller', new RegExp(`reply from echo pid ${after.pid}: hello ping`), restartedAt);
    expect(sys.supervisor.getUnit('caller').restarts).toBe(0);
  });
});

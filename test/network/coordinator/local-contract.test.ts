import { describe, expect, it } from 'vitest';
import { isCoordinatorError } from '../../../src/network/coordinator/coordinator-errors.js';
import { createLocalCoordinator } from '../../../src/network/coordinator/local-coordinator.js';
import { openCoordinator } from '../../../src/network/coordinator/open-coordinator.js';
import { coordinatorContract } from './coordinator-contract.js';

coordinatorContract(
  'local',
  () => {
    const a = createLocalCoordinator();
    const b = a.connect();
    return Promise.resolve({ a, b, close: async () => void (await Promise.all([a.close(), b.close()])) });
  },
  { leasesExpire: false },
);

describe('local coordinator specifics', () => {
  it('a watch from a revision older than the bounded history is refused with a compaction error', async () => {
    const c = await openCoordinator({ kind: 'local', historyLimit: 3 });
    const first = await c.put('k/1', 'a');
    for (let i = 2; i <= 6; i++) await c.put(`k/${i}`, 'a');
    await expect(c.watch('k/', first, () => undefined)).rejects.toSatisfy((e: unknown) => isCoordinatorError(e, 'ENS_E_COORDINATOR_COMPACTED'));
    const seen: string[] = [];
    const w = await c.watch('k/', first + 3n, (e) => seen.push(e.key));
    expect(seen).toEqual(['k/4', 'k/5', 'k/6']);
    await w.close();
    await c.close();
  });

  it('a closed client refuses calls and its leases are gone', async () => {
    const a = createLocalCoordinator();
    const b = a.connect();
    const lease = await a.grantLease(5);
    await a.put('x', '1', lease);
    await a.close();
    expect(await b.get('x')).toBeUndefined();
    await expect(a.get('x')).rejects.toSatisfy((e: unknown) => isCoordinatorError(e, 'ENS_E_COORDINATOR_STATE'));
    await b.close();
  });
});

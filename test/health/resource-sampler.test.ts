import { afterEach, describe, expect, it } from 'vitest';
import { ResourceSampler } from '../../src/health/resource-sampler.js';
import { startProcessTree } from './process-tree.js';
import type { ProcessTreeFixture } from './process-tree.js';
import { waitFor } from '../helpers/wait-for.js';

const MIB = 1024 * 1024;
const started: ProcessTreeFixture[] = [];

afterEach(() => {
  while (started.length > 0) started.pop()?.kill();
});

async function tree(mib: number): Promise<ProcessTreeFixture> {
  const fixture = await startProcessTree(mib);
  started.push(fixture);
  return fixture;
}

describe('ResourceSampler', () => {
  it("sums the RSS of the whole tree, the child's memory included", async () => {
    const fixture = await tree(96);
    const sampler = new ResourceSampler();
    const whole = await sampler.sample(fixture.parent.pid as number);
    const child = await sampler.sample(fixture.childPid);
    expect(whole).not.toBeNull();
    expect(child).not.toBeNull();
    expect(whole?.processes).toBe(2);
    expect(child?.processes).toBe(1);
    expect(child?.memoryBytes).toBeGreaterThan(96 * MIB);
    // The tree is the child plus a whole node process on top.
    expect(whole?.memoryBytes).toBeGreaterThan((child?.memoryBytes ?? 0) + 10 * MIB);
    expect(whole?.threads).toBeGreaterThanOrEqual(2);
  });

  it('shows CPU rising while a child burns it, and null once the tree is gone', async () => {
    const fixture = await tree(8);
    const root = fixture.parent.pid as number;
    const sampler = new ResourceSampler({ smoothingMs: 1000 });
    await waitFor('an idle tree', async () => ((await sampler.sample(root))?.cpuPercent ?? 100) < 20, { timeoutMs: 30_000, intervalMs: 200 });
    fixture.burn();
    await waitFor('CPU use above 40% while burning', async () => ((await sampler.sample(root))?.cpuPercent ?? 0) > 40, { timeoutMs: 30_000, intervalMs: 200 });
    fixture.kill();
    await waitFor('the sample to be null after exit', async () => (await sampler.sample(root)) === null, { timeoutMs: 30_000, intervalMs: 100 });
  });

  it('samples several trees in one round and answers null for a pid that does not exist', async () => {
    const [a, b] = await Promise.all([tree(16), tree(48)]);
    const sampler = new ResourceSampler();
    const dead = 2 ** 22 + 1; // above the kernel's pid_max limit: never a live process
    const samples = await sampler.sampleMany([a?.parent.pid as number, b?.parent.pid as number, dead]);
    expect(samples.get(dead)).toBeNull();
    const sa = samples.get(a?.parent.pid as number);
    const sb = samples.get(b?.parent.pid as number);
    expect(sa?.processes).toBe(2);
    expect(sb?.processes).toBe(2);
    expect((sb?.memoryBytes ?? 0) - (sa?.memoryBytes ?? 0)).toBeGreaterThan(24 * MIB);
  });
});

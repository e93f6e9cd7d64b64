import { defineConfig } from 'vitest/config';

// Units, FUSE mounts and supervisors are real child processes: worker threads
// cannot mount FUSE or reliably own process groups, so every test file runs in
// a forked process. Deadlines are generous because CI machines are shared.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    // expect.poll gives up after 1 s by default: too short on a loaded machine.
    expect: { poll: { timeout: 30_000, interval: 50 } },
    fileParallelism: true,
    maxWorkers: 2,
  },
});

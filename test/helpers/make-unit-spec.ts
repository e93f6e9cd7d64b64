import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plan, UnitSpec } from '../../src/ensemble/plan.js';

/** Absolute path of a fixture in test/fixtures. */
export function fixture(name: string): string {
  return join(dirname(dirname(fileURLToPath(import.meta.url))), 'fixtures', name);
}

type SpecInput = Partial<Omit<UnitSpec, 'restart' | 'stop' | 'logs'>> & {
  name: string;
  restart?: Partial<UnitSpec['restart']>;
  stop?: Partial<UnitSpec['stop']>;
  logs?: Partial<UnitSpec['logs']>;
};

/**
 * A resolved UnitSpec with the language's defaults (restart on-failure
 * 250ms/30s/10 in 10m, reset after 60s, stop SIGTERM 10s, ready timeout 30s,
 * logs 5MB keep 3), readiness `started`, kind `exec`, working directory the
 * fixtures folder.
 */
export function makeUnitSpec(input: SpecInput): UnitSpec {
  const { restart, stop, logs, ...rest } = input;
  const workingDirectory = rest.workingDirectory ?? fixture('.');
  const command = rest.command ?? 'sleep';
  return {
    kind: 'exec',
    path: command,
    command,
    args: [],
    env: {},
    properties: {},
    dependsOn: [],
    readiness: 'started',
    readyTimeoutMs: 30_000,
    watchdogMs: null,
    health: null,
    limits: {},
    node: null,
    services: [],
    compose: null,
    source: { file: join(workingDirectory, 'test.ensemble'), line: 1, column: 1 },
    ...rest,
    workingDirectory: resolve(workingDirectory),
    restart: { policy: 'on-failure', backoffMs: 250, maxBackoffMs: 30_000, maxRestarts: 10, windowMs: 600_000, resetAfterMs: 60_000, ...restart },
    stop: { signal: 'SIGTERM', timeoutMs: 10_000, ...stop },
    logs: { maxBytes: 5 * 1024 * 1024, keep: 3, ...logs },
  };
}

/** A node unit running a fixture module (`unit-ready.mjs` …). */
export function nodeUnit(name: string, module: string, input: Partial<SpecInput> = {}): UnitSpec {
  return makeUnitSpec({ kind: 'node', path: `./${module}`, command: fixture(module), ...input, name });
}

/** A plan for `file` (the id of the runtime directory derives from it). */
export function makePlan(file: string, units: UnitSpec[], node = 'test-node'): Plan {
  return { file: resolve(file), node, units, elsewhere: [], network: null, params: {}, files: [resolve(file)] };
}

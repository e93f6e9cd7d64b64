import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errors, ok, where, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.cleanup();
});

describe('runner statements and fields', () => {
  it('compiles every field with its value type and defaults', async () => {
    const f = await ws.write(
      'a.ensemble',
      `runner api "./units/api.js" {
  arguments: "--port 0 'two words' \\"q\\""
  env { LOG_LEVEL: "debug", N: 3 }
  properties { nested { deep: [1, "two", true, 30s, 5MB, 50%, word] } }
  readiness: notify
  ready_timeout: 5s
  watchdog: "1.5s"
  restart { policy: always backoff: 100ms max_backoff: 1m max_restarts: 4 window: 2h reset_after: "1d" }
  health { probe: "tcp:8080" interval: 1s timeout: 500ms failures: 2 start_period: 0s }
  limits { memory: 256MB cpu: 50% pids: 64 }
  stop { signal: INT timeout: 3s }
  logs { max_size: 1KiB keep: 0 }
  working_directory: "data"
}
`,
    );
    const plan = await ok(f);
    const u = plan.units[0];
    expect(u).toMatchObject({
      name: 'api',
      kind: 'node',
      command: path.join(ws.dir, 'units/api.js'),
      args: ['--port', '0', 'two words', 'q'],
      env: { LOG_LEVEL: 'debug', N: '3' },
      properties: { nested: { deep: [1, 'two', true, '30s', '5MB', '50%', 'word'] } },
      readiness: 'notify',
      readyTimeoutMs: 5000,
      watchdogMs: 1500,
      restart: { policy: 'always', backoffMs: 100, maxBackoffMs: 60_000, maxRestarts: 4, windowMs: 7_200_000, resetAfterMs: 86_400_000 },
      health: { probe: 'tcp:8080', intervalMs: 1000, timeoutMs: 500, failures: 2, startPeriodMs: 0 },
      limits: { memoryBytes: 256 * 1024 * 1024, cpuPercent: 50, pids: 64 },
      stop: { signal: 'SIGINT', timeoutMs: 3000 },
      logs: { maxBytes: 1024, keep: 0 },
      workingDirectory: path.join(ws.dir, 'data'),
      node: null,
      source: { file: f, line: 1, column: 1 },
    });
  });

  it('applies defaults and derives the kind from the path', async () => {
    const f = await ws.write(
      'a.ensemble',
      `runner a "x.mjs" {}
runner b "mod.wasm" {}
runner c "@ensemble/store"
runner d "cat" { arguments: ["-n", 5] }
runner e "./bin/tool" {}
runner f "tool.sh" { kind: "node" }
`,
    );
    const plan = await ok(f);
    const by = Object.fromEntries(plan.units.map((u) => [u.name, u]));
    expect(by['a']).toMatchObject({ kind: 'node', readiness: 'started', readyTimeoutMs: 30_000, watchdogMs: null, health: null, limits: {}, workingDirectory: ws.dir });
    expect(by['a']?.restart).toEqual({ policy: 'on-failure', backoffMs: 250, maxBackoffMs: 30_000, maxRestarts: 10, windowMs: 600_000, resetAfterMs: 60_000 });
    expect(by['a']?.stop).toEqual({ signal: 'SIGTERM', timeoutMs: 10_000 });
    expect(by['a']?.logs).toEqual({ maxBytes: 5 * 1024 * 1024, keep: 3 });
    expect(by['b']).toMatchObject({ kind: 'wasm', command: path.join(ws.dir, 'mod.wasm') });
    expect(by['c']).toMatchObject({ kind: 'builtin', command: '@ensemble/store', readiness: 'notify' });
    expect(by['d']).toMatchObject({ kind: 'exec', command: 'cat', args: ['-n', '5'] });
    expect(by['e']).toMatchObject({ kind: 'exec', command: path.join(ws.dir, 'bin/tool') });
    expect(by['f']).toMatchObject({ kind: 'node', command: path.join(ws.dir, 'tool.sh') });
  });

  it('accepts sizes and durations quoted or bare; KB/MB are 1024-based', async () => {
    const f = await ws.write('a.ensemble', `runner a "x" { limits { memory: "1.5GB" } logs { max_size: 2MB } ready_timeout: "2m" }\n`);
    const u = (await ok(f)).units[0];
    expect(u?.limits.memoryBytes).toBe(1.5 * 1024 ** 3);
    expect(u?.logs.maxBytes).toBe(2 * 1024 ** 2);
    expect(u?.readyTimeoutMs).toBe(120_000);
  });

  it('hosts service runners, named or not (Tinkwell)', async () => {
    const f = await ws.write(
      'a.ensemble',
      `runner system "./host.js" {
  service runner orchestrator "./orch.js" {}
  service runner "./health.js" { properties { interval: 15 } }
  service runner "cpu" "cat" if "false" {}
  service runner temp "cat" { arguments: "/sys/x" properties: { device: "~/dev/cpu" } }
}
`,
    );
    const u = (await ok(f)).units[0];
    expect(u?.services.map((s) => s.name)).toEqual(['orchestrator', 'health', 'temp']);
    expect(u?.services[0]?.resolvedPath).toBe(path.join(ws.dir, 'orch.js'));
    expect(u?.services[2]).toMatchObject({ resolvedPath: 'cat', args: ['/sys/x'], properties: { device: '~/dev/cpu' } });
  });

  it('understands Tinkwell keep_alive and activation', async () => {
    const f = await ws.write(
      'a.ensemble',
      `runner "data_importer" "/usr/bin/data-importer" {
  arguments: "--source /var/data --interval 300"
  properties { keep_alive: "false" path: "x" }
}
runner b "b.js" { keep_alive: true activation: blocking }
runner c "c.js" { activation: non_blocking }
`,
    );
    const plan = await ok(f);
    const [a, b, c] = plan.units;
    expect(a).toMatchObject({ name: 'data_importer', command: '/usr/bin/data-importer', restart: { policy: 'never' }, properties: { path: 'x' } });
    expect(b).toMatchObject({ readiness: 'notify', restart: { policy: 'on-failure' } });
    expect(c?.readiness).toBe('started');
  });

  it('orders units so dependencies start first', async () => {
    const f = await ws.write('a.ensemble', `runner web "w" { depends_on: [api] }\nrunner api "a" { depends_on: ["store"] }\nrunner store "s" {}\nrunner other "o"\n`);
    const plan = await ok(f);
    expect(plan.units.map((u) => u.name)).toEqual(['store', 'api', 'web', 'other']);
    expect(plan.units[2]?.dependsOn).toEqual(['api']);
  });
});

describe('network, placement, conditions', () => {
  it('compiles the network block; tls paths resolve against the file', async () => {
    const f = await ws.write(
      'a.ensemble',
      `network "plant" { listen: "0.0.0.0:7600" peers: ["10.0.0.2:7600", "[::1]:7601"] token: "{{ env.ENSEMBLE_TOKEN }}" tls { ca: "ca.pem" cert: "c.pem" key: "/k.pem" } }\n`,
    );
    const plan = await ok(f);
    expect(plan.network).toMatchObject({ name: 'plant', listen: '0.0.0.0:7600', peers: ['10.0.0.2:7600', '[::1]:7601'], token: 's3cret', tls: { ca: path.join(ws.dir, 'ca.pem'), cert: path.join(ws.dir, 'c.pem'), key: '/k.pem' } });
  });

  it('places units with on: this node runs its own, the rest are elsewhere', async () => {
    const f = await ws.write('a.ensemble', `runner a "a" on "edge-1" {}\nrunner b "b" on "edge-2" {}\nrunner c "c" {}\nrunner b "b2" on "edge-3" {}\n`);
    const p1 = await ok(f, { node: 'edge-1' });
    expect(p1.units.map((u) => u.name)).toEqual(['a', 'c']);
    expect(p1.elsewhere).toEqual([{ name: 'b', node: 'edge-2' }, { name: 'b', node: 'edge-3' }]);
    const p2 = await ok(f, { node: 'edge-2' });
    expect(p2.units.map((u) => [u.name, u.node])).toEqual([['b', 'edge-2'], ['c', null]]);
  });

  it('evaluates conditions with variables, params, env and Tinkwell single =', async () => {
    const f = await ws.write(
      'a.ensemble',
      `runner a "a" if "platform == '${process.platform}'" {}
runner b "b" if "platform = 'nope'" {}
runner c "c" if "env.SITE == 'lab' and not (params.mode == 'off')" {}
runner d "d" if "params.replicas >= 3 or env.UNSET == 'x'" {}
runner e "e" on "edge-1" if "node != hostname or true" {}
runner f "f" if "arch == '${process.arch}' && !false" {}
`,
    );
    const plan = await ok(f, { params: { mode: 'on', replicas: '10' } });
    expect(plan.units.map((u) => u.name)).toEqual(['a', 'c', 'd', 'e', 'f']);
    expect(plan.params).toEqual({ mode: 'on', replicas: '10' });
    const p2 = await ok(f, { params: { mode: 'off', replicas: '2' } });
    expect(p2.units.map((u) => u.name)).toEqual(['a', 'e', 'f']);
  });
});

describe('liquid, imports, compose', () => {
  it('renders Liquid loops that generate runners, with variables', async () => {
    const f = await ws.write(
      'a.ensemble',
      `{% for i in (1..3) %}
runner worker{{ i }} "./w.js" { env { INDEX: "{{ i }}" NODE: "{{ node }}" } }
{% endfor %}
`,
    );
    const plan = await ok(f);
    expect(plan.units.map((u) => [u.name, u.env['INDEX'], u.env['NODE']])).toEqual([
      ['worker1', '1', 'edge-1'],
      ['worker2', '2', 'edge-1'],
      ['worker3', '3', 'edge-1'],
    ]);
  });

  it('skips Liquid with // @no-preprocessor', async () => {
    const f = await ws.write('a.ensemble', `// @no-preprocessor\nrunner a "a" { arguments: "{{ not liquid }}" }\n`);
    expect((await ok(f)).units[0]?.args).toEqual(['{{', 'not', 'liquid', '}}']);
  });

  it('imports relative to the importing file, once each', async () => {
    await ws.write('lib/common.ensemble', `import "more/x.ensemble"\nrunner store "@ensemble/store" { properties { persist: "./data.json" } }\n`);
    await ws.write('lib/more/x.ensemble', `runner x "./x.js"\n`);
    const f = await ws.write('a.ensemble', `import "lib/common.ensemble"\nimport "./lib/more/x.ensemble"\nrunner api "api.js" { depends_on: [store, x] }\n`);
    const plan = await ok(f);
    expect(plan.units.map((u) => u.name)).toEqual(['x', 'store', 'api']);
    expect(plan.units[0]?.command).toBe(path.join(ws.dir, 'lib/more/x.js'));
    expect(plan.units[1]?.workingDirectory).toBe(path.join(ws.dir, 'lib'));
    expect(plan.files).toEqual([f, path.join(ws.dir, 'lib/common.ensemble'), path.join(ws.dir, 'lib/more/x.ensemble')]);
  });

  it('expands built-in compose kinds service and agent', async () => {
    const f = await ws.write(
      'a.ensemble',
      `compose service events "@ensemble/events" if "env.SITE == 'lab'" { retention: "1h" }
compose agent reducer "./reducer.js" { path: "./config/measures.twm" }
compose service store "./store.js"
compose service gone "./g.js" if "env.SITE == 'other'"
`,
    );
    const plan = await ok(f);
    expect(plan.units.map((u) => [u.name, u.compose, u.readiness])).toEqual([
      ['events', 'service', 'notify'],
      ['reducer', 'agent', 'started'],
      ['store', 'service', 'notify'],
    ]);
    expect(plan.units[0]?.properties).toEqual({ retention: '1h' });
  });

  it('expands user compose kinds from compose_<kind>.liquid (and Tinkwell .template)', async () => {
    await ws.write(
      'compose_worker.liquid',
      `runner "{{ name }}" "{{ path }}" {
  restart { policy: always }
  properties {{ properties }}
}
runner "{{ name }}-sidecar" "cat" { depends_on: ["{{ name }}"] }
`,
    );
    await ws.write('compose_tw.template', `runner "{{ name }}" "./host.js" {\n  service runner "__{{ name }}___firmlet__" "{{ path }}" { properties {{ properties }} }\n}\n`);
    const f = await ws.write('a.ensemble', `compose worker w1 "./w.js" on "edge-1" { speed: 5 }\ncompose tw store "Store.dll"\n`);
    const plan = await ok(f);
    expect(plan.units.map((u) => [u.name, u.compose, u.node])).toEqual([
      ['w1', 'worker', 'edge-1'],
      ['w1-sidecar', 'worker', 'edge-1'],
      ['store', 'tw', null],
    ]);
    expect(plan.units[0]).toMatchObject({ restart: { policy: 'always' }, properties: { speed: 5 }, command: path.join(ws.dir, 'w.js') });
    expect(plan.units[2]?.services[0]).toMatchObject({ name: '__store___firmlet__', path: 'Store.dll' });
    expect(plan.files).toContain(path.join(ws.dir, 'compose_worker.liquid'));
  });
});

describe('errors: every one reported with file, line and column', () => {
  it('reports syntax errors with what was expected, and goes on', async () => {
    const f = await ws.write('a.ensemble', `runner a "a" {\n  watchdog: 1s 2\n}\nrunner { }\nbogus\nrunner ok "ok" {}\n`);
    const ds = await errors(f);
    expect(where(ds)).toEqual(['a.ensemble:2:16: ENS_E_PARSE', 'a.ensemble:4:8: ENS_E_PARSE', 'a.ensemble:5:1: ENS_E_PARSE']);
    expect(ds[1]?.message).toMatch(/expected a runner name and a path string/);
    expect(ds[2]?.message).toMatch(/expected a statement \(import, runner, compose or network\), found "bogus"/);
    expect(ds[0]?.sourceLine).toBe('  watchdog: 1s 2');
  });

  it('reports unterminated strings and block comments at their start', async () => {
    const f = await ws.write('a.ensemble', `runner a "a" { arguments: "oops }\nrunner b "b" {}\n/* never closed\nrunner c "c" {}\n`);
    const ds = await errors(f);
    expect(where(ds)).toContain('a.ensemble:1:27: ENS_E_PARSE');
    expect(where(ds)).toContain('a.ensemble:3:1: ENS_E_PARSE');
    expect(ds.find((d) => d.line === 1)?.message).toMatch(/unterminated string/);
    expect(ds.find((d) => d.line === 3)?.message).toMatch(/unterminated block comment/);
  });

  it('reports unknown fields with a suggestion and wrong value types with what was expected', async () => {
    const f = await ws.write(
      'a.ensemble',
      `runner a "a" {
  restrat { policy: always }
  restart { backoff: 5 policy: sometimes }
  limits { memory: "lots" cpu: 2 pids: -1 }
  health { probe: "ftp://x" }
  stop { signal: "SIGNOPE" }
  readiness: ready
  env { "BAD-NAME": "x" }
  arguments: "unclosed 'quote"
}
`,
    );
    const ds = await errors(f);
    const msgs = ds.map((d) => `${d.line}:${d.column} ${d.message}`);
    expect(msgs).toEqual([
      '2:3 unknown field "restrat" (did you mean "restart"?)',
      '3:22 restart.backoff: expected a duration such as "250ms" or "30s", got the number 5',
      '3:32 restart.policy: "sometimes" is not one of always, on-failure, never',
      '4:20 limits.memory: expected a size such as "256MB" or "1GiB", got the string "lots"',
      '4:32 limits.cpu: expected a percent of one core such as "50%" or "200%", got the number 2',
      '4:40 limits.pids: expected a whole number of at least 1, got the number -1',
      '5:19 health.probe: invalid probe "ftp://x": expected grpc, grpc:SERVICE, tcp:PORT, tcp:HOST:PORT, tcp:[IPV6]:PORT, http://…, https://… or exec:COMMAND',
      '6:18 stop.signal: "SIGNOPE" is not a signal name (such as SIGTERM, SIGINT, SIGQUIT)',
      '7:14 readiness: "ready" is not one of notify, started, health',
      '8:9 env: "BAD-NAME" is not a valid environment variable name',
      '9:24 arguments: unterminated single quote in arguments',
    ]);
    expect(ds.every((d) => d.code === 'ENS_E_VALIDATION')).toBe(true);
  });

  it('reports duplicate names among surviving units, pointing at the second', async () => {
    const f = await ws.write('a.ensemble', `runner a "a" {}\nrunner a "b" if "false" {}\nrunner  a "c" {}\n`);
    const ds = await errors(f);
    expect(where(ds)).toEqual(['a.ensemble:3:9: ENS_E_VALIDATION']);
    expect(ds[0]?.message).toBe('duplicate unit name "a" (first declared at a.ensemble:1:8)');
  });

  it('reports unknown depends_on targets and dependency cycles', async () => {
    const f = await ws.write('a.ensemble', `runner a "a" { depends_on: [b, stor] }\nrunner b "b" { depends_on: [c] }\nrunner c "c" { depends_on: [a] }\nrunner store "s"\n`);
    const ds = await errors(f);
    expect(ds.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      '1:32 depends_on: unknown unit "stor" (did you mean "store"?)',
      '3:29 dependency cycle: a → b → c → a',
    ]);
  });

  it('reports import cycles and missing imports at the import statement', async () => {
    await ws.write('b.ensemble', `import "a.ensemble"\nrunner b "b"\n`);
    const f = await ws.write('a.ensemble', `import "b.ensemble"\nimport "missing.ensemble"\nrunner a "a"\n`);
    const ds = await errors(f);
    expect(where(ds)).toEqual(['a.ensemble:2:8: ENS_E_IMPORT', 'b.ensemble:1:8: ENS_E_IMPORT']);
    expect(ds[0]?.message).toMatch(/cannot import "missing.ensemble": file not found/);
    expect(ds[1]?.message).toBe('import cycle: a.ensemble → b.ensemble → a.ensemble');
  });

  it('names the imported file for an error inside it', async () => {
    await ws.write('lib/x.ensemble', `\nrunner x "x" { restart { window: 5 } }\n`);
    const f = await ws.write('a.ensemble', `import "lib/x.ensemble"\n`);
    const ds = await errors(f);
    expect(ds[0]).toMatchObject({ file: path.join(ws.dir, 'lib/x.ensemble'), line: 2, column: 34, code: 'ENS_E_VALIDATION' });
  });

  it('reports Liquid errors and undefined variables at the template line', async () => {
    const f1 = await ws.write('a.ensemble', `runner a "a" {}\nrunner b "b" { arguments: "{{ params.missing }}" }\n`);
    const d1 = await errors(f1);
    expect(where(d1)).toEqual(['a.ensemble:2:31: ENS_E_TEMPLATE']);
    expect(d1[0]?.message).toMatch(/undefined variable/);
    const f2 = await ws.write('b.ensemble', `runner a "a" {}\n\n  {% if %}\n`);
    expect(where(await errors(f2))).toEqual(['b.ensemble:3:8: ENS_E_TEMPLATE']);
  });

  it('points an error inside a Liquid loop at the loop body line', async () => {
    const f = await ws.write('a.ensemble', `// workers\n{% for i in (1..2) %}\nrunner w{{ i }} "w.js" { ready_timeout: 10 }\n{% endfor %}\n`);
    const ds = await errors(f);
    // Both iterations fail at the same source position: reported once, at the exact column.
    expect(where(ds)).toEqual(['a.ensemble:3:41: ENS_E_VALIDATION']);
  });

  it('reports conditions that do not parse or are not boolean', async () => {
    const f = await ws.write('a.ensemble', `runner a "a" if "platform ==" {}\nrunner b "b" if "platform" {}\nrunner c "c" if "nope == 1" {}\nrunner d "d" if "'a' < 1" {}\n`);
    const ds = await errors(f);
    expect(ds.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual(['ENS_E_CONDITION 1:29', 'ENS_E_CONDITION 2:18', 'ENS_E_CONDITION 3:18', 'ENS_E_CONDITION 4:22']);
    expect(ds[1]?.message).toMatch(/must be true or false, got the string/);
    expect(ds[2]?.message).toMatch(/unknown variable "nope"/);
  });

  it('reports unknown compose kinds and errors inside a compose template', async () => {
    await ws.write('compose_bad.liquid', `runner "{{ name }}" "{{ path }}" {\n  restart { backoff: 5 }\n  properties {{ properties }}\n}\n`);
    const f = await ws.write('a.ensemble', `compose servce a "a"\ncompose bad b "b" {\n  x: 10x\n}\n`);
    const ds = await errors(f);
    expect(where(ds)).toEqual(['a.ensemble:1:9: ENS_E_VALIDATION', 'a.ensemble:3:6: ENS_E_VALIDATION', 'compose_bad.liquid:2:22: ENS_E_VALIDATION']);
    expect(ds[0]?.message).toMatch(/unknown compose kind "servce" \(did you mean "service"\?\)/);
  });

  it('reports names that cannot be file names (Tinkwell invalid characters, special names, too long, a slash)', async () => {
    const f = await ws.write('a.ensemble', `runner "a:b" "a" {}\nrunner ".." "b" {}\nrunner "${'x'.repeat(65)}" "c" {}\ncompose service "a/b" "d"\n`);
    const ds = await errors(f);
    expect(where(ds)).toEqual(['a.ensemble:1:8: ENS_E_VALIDATION', 'a.ensemble:2:8: ENS_E_VALIDATION', 'a.ensemble:3:8: ENS_E_VALIDATION', 'a.ensemble:4:17: ENS_E_VALIDATION']);
  });
});

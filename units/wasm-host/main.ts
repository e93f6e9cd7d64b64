/**
 * `@ensemble/wasm-host`: runs WASI preview1 modules (docs/wasm.md).
 *
 * Launched as `wasm-host MODULE ARGS…` for a `*.wasm` runner, or as a host
 * whose `service runner` children are modules (each with its own state
 * directory `<state dir>/<child>` and resources under `<child>/`).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WASI } from 'node:wasi';
import { connect, type ResourceHandle } from '../../src/sdk/index.js';
import { hostChildren } from '../common/host-children.js';
import { durationProperty } from '../common/properties.js';
import { errorMessage, unitLog } from '../common/unit-log.js';
import { quietWasiWarning } from './quiet-wasi-warning.js';
import type { WasmModule as LoadedModule, WasmModuleSpec } from './wasm-module.js';
import type { WasmInstance } from './webassembly.js';

quietWasiWarning();
const { WasmModule, WasmModuleError } = await import('./wasm-module.js');
const unit = connect();
const props = unit.properties();
/** The module's environment: the unit's, without the secret token and service-manager variables. */
const env = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !['ENSEMBLE_TOKEN', 'NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'].includes(e[0])),
);
const [file, ...args] = process.argv.slice(2);
const stateOf = (child: string | null): string | null => {
  if (!unit.stateDir) return null;
  const dir = child ? join(unit.stateDir, child) : unit.stateDir;
  mkdirSync(dir, { recursive: true });
  return dir;
};
const specs: WasmModuleSpec[] = file
  ? [{ name: null, file, args, env, properties: props, stateDir: stateOf(null) }]
  : hostChildren(props, unit.name).map((c) => ({ name: c.name, file: c.resolvedPath, args: c.args, env: { ...env, ENSEMBLE_PROPERTIES: JSON.stringify(c.properties) }, properties: c.properties, stateDir: stateOf(c.name) }));
if (specs.length === 0) throw new WasmModuleError('wasm-host needs a module: run it as a *.wasm runner or give it service runner children');

const values = new Map<string, string>();
const handles = new Map<string, ResourceHandle>();
let readyAsked = 0;
const loaded: { module: LoadedModule; wasi: WASI; instance: WasmInstance }[] = [];
for (const spec of specs) {
  const prefix = spec.name ? `${spec.name}/` : '';
  let self: LoadedModule | null = null;
  const entry = await WasmModule.load(spec, {
    publish: (path, value, writable) => {
      const full = `${prefix}${path}`;
      values.set(full, value);
      const held = handles.get(full);
      if (held) return void held.changed(value);
      const write = (v: string) => (self as LoadedModule).write(path, v);
      handles.set(full, unit.resource(full, { read: () => values.get(full) ?? '', watch: true, ...(writable ? { write } : {}), description: `published by ${spec.name ?? 'the module'}` }));
    },
    ready: () => {
      readyAsked++;
    },
  });
  self = entry.module;
  loaded.push(entry);
}
await unit.serve();

let exitCode = 0;
let running = 0;
for (const { module, wasi, instance } of loaded) {
  const exports = instance.exports as Record<string, unknown>;
  try {
    if (typeof exports._start === 'function') {
      const code = wasi.start(instance);
      if (!module.ticks) {
        exitCode = Math.max(exitCode, code ?? 0);
        continue;
      }
      if (code) throw new WasmModuleError(`${module.spec.file}: _start exited with code ${code}`);
    } else if (typeof exports._initialize === 'function') {
      wasi.initialize(instance);
    } else {
      wasi.initialize(instance); // neither: a reactor without initializer
    }
  } catch (e) {
    unitLog.error(errorMessage(e));
    process.exit(1);
  }
  if (module.ticks) running++;
}
if (running === 0) {
  // Commands only: the unit ends like a native program, with the modules' exit code.
  await unit.close();
  process.exit(exitCode);
}
const intervalMs = durationProperty(props, 'interval', 1000, unit.name);
const timer = setInterval(() => {
  for (const { module } of loaded) {
    if (!module.ticks) continue;
    try {
      module.tick();
    } catch (e) {
      unitLog.error(errorMessage(e));
      process.exit(1);
    }
  }
}, intervalMs);
unit.onShutdown(() => clearInterval(timer));
if (readyAsked > 0 || process.env.NOTIFY_SOCKET) await unit.ready().catch((e: unknown) => unitLog.warn(`cannot report ready: ${errorMessage(e)}`));
unitLog.info(`wasm host running ${loaded.length} module(s), tick every ${intervalMs} ms`);

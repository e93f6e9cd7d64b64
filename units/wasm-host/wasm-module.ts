import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { WASI } from 'node:wasi';
import { EnsembleError } from '../../src/sdk/host.js';
import type { Properties } from '../common/properties.js';
import { ensembleImports, type MemoryRef } from './host-imports.js';
import { isMemory, wasm, type WasmCompiled, type WasmInstance, type WasmMemory } from './webassembly.js';

/** A module that cannot be loaded or that trapped (the host exits; the supervisor restarts it). */
export class WasmModuleError extends EnsembleError {
  constructor(message: string, cause?: unknown) {
    super('ENS_E_SPAWN', message, { cause });
  }
}

/** What a module is run with. */
export interface WasmModuleSpec {
  /** Name used in messages and as the resource prefix of host children (null: no prefix). */
  readonly name: string | null;
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly properties: Properties;
  /** Preopened as `/state` inside the module; null for none. */
  readonly stateDir: string | null;
}

/** How the module talks to its host unit. */
export interface ModuleHost {
  publish(path: string, value: string, writable: boolean): void;
  ready(): void;
}

interface Exports {
  memory?: WasmMemory;
  _start?: () => void;
  _initialize?: () => void;
  tick?: () => void;
  alloc?: (len: number) => number;
  on_write?: (pathPtr: number, pathLen: number, valuePtr: number, valueLen: number) => number;
}

const encoder = new TextEncoder();

/**
 * One WASI preview1 module: instantiated with `wasi_snapshot_preview1` and
 * the `ensemble` host module, run by `_start` (a command) or `_initialize`
 * (a reactor); when it exports `tick`, the host calls it periodically.
 */
export class WasmModule {
  private exports: Exports = {};
  private readonly ref: MemoryRef = { memory: null };

  private constructor(readonly spec: WasmModuleSpec) {}

  /** Compile and instantiate `spec.file`. Throws {@link WasmModuleError}. */
  static async load(spec: WasmModuleSpec, host: ModuleHost): Promise<{ module: WasmModule; wasi: WASI; instance: WasmInstance }> {
    const m = new WasmModule(spec);
    const wasi = new WASI({
      version: 'preview1',
      args: [basename(spec.file), ...spec.args],
      env: { ...spec.env },
      preopens: spec.stateDir ? { '/state': spec.stateDir } : {},
      returnOnExit: true,
    });
    let compiled: WasmCompiled;
    try {
      compiled = await wasm.compile(await readFile(spec.file));
    } catch (e) {
      throw new WasmModuleError(`${spec.file}: not a valid WebAssembly module: ${(e as Error).message}`, e);
    }
    let writable = false;
    const imports = {
      wasi_snapshot_preview1: wasi.wasiImport as Record<string, unknown>,
      ensemble: ensembleImports(m.ref, { properties: spec.properties, publish: (p, v) => host.publish(p, v, writable), ready: () => host.ready() }),
    };
    let instance: WasmInstance;
    try {
      instance = await wasm.instantiate(compiled, imports);
    } catch (e) {
      throw new WasmModuleError(`${spec.file}: cannot instantiate: ${(e as Error).message}`, e);
    }
    m.exports = instance.exports as Exports;
    if (!isMemory(m.exports.memory)) throw new WasmModuleError(`${spec.file}: the module must export its memory as "memory"`);
    m.ref.memory = m.exports.memory as WasmMemory;
    writable = typeof m.exports.on_write === 'function' && typeof m.exports.alloc === 'function';
    return { module: m, wasi, instance };
  }

  /** True when the module exports `tick`. */
  get ticks(): boolean {
    return typeof this.exports.tick === 'function';
  }

  /** Call `tick` once. Throws {@link WasmModuleError} when the module traps. */
  tick(): void {
    try {
      this.exports.tick?.();
    } catch (e) {
      throw new WasmModuleError(`${this.spec.name ?? basename(this.spec.file)}: tick trapped: ${(e as Error).message}`, e);
    }
  }

  /** Hand a written value to the module's `on_write`; throws when it refuses (non-zero) or cannot take it. */
  write(path: string, value: string): void {
    const { alloc, on_write: onWrite } = this.exports;
    if (!alloc || !onWrite || !this.ref.memory) throw new Error('the module does not accept writes');
    const p = encoder.encode(path);
    const v = encoder.encode(value);
    const pathPtr = alloc(p.length);
    const valuePtr = alloc(v.length);
    const mem = new Uint8Array(this.ref.memory.buffer);
    if (pathPtr < 0 || valuePtr < 0 || pathPtr + p.length > mem.length || valuePtr + v.length > mem.length) throw new Error('the module could not allocate memory for the value');
    mem.set(p, pathPtr);
    mem.set(v, valuePtr);
    const rc = onWrite(pathPtr, p.length, valuePtr, v.length);
    if (rc !== 0) throw new Error(`the module refused the value (code ${rc})`);
  }
}

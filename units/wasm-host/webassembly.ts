/**
 * The part of the WebAssembly JavaScript API the wasm host uses, typed here
 * because the project compiles without the DOM library (which is where
 * TypeScript declares `WebAssembly`). The values are Node's globals.
 */

/** A module's linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** Functions and values a module imports, by import module name. */
export type WasmImports = Record<string, Record<string, unknown>>;

/** An instantiated module. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** A compiled module. */
export type WasmCompiled = object;

interface WebAssemblyApi {
  compile(bytes: Uint8Array): Promise<WasmCompiled>;
  instantiate(module: WasmCompiled, imports: WasmImports): Promise<WasmInstance>;
  Memory: abstract new (...args: never[]) => WasmMemory;
}

/** Node's global `WebAssembly`. */
export const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** True when `value` is a WebAssembly.Memory. */
export function isMemory(value: unknown): value is WasmMemory {
  return value instanceof wasm.Memory;
}

import { InvalidArgumentError, validateResourcePath } from '../../src/sdk/host.js';
import type { Properties } from '../common/properties.js';
import type { WasmMemory } from './webassembly.js';

/** WASI errno values returned by the `ensemble` imports. */
export const ERRNO = { success: 0, inval: 28, noent: 44 } as const;

/** What the `ensemble` import module does on the host side. */
export interface HostBindings {
  /** Publish `value` at resource `path` (relative to the module). */
  publish(path: string, value: string): void;
  /** The module asks to be reported ready. */
  ready(): void;
  readonly properties: Properties;
}

/** Memory of the module, known once it is instantiated. */
export interface MemoryRef {
  memory: WasmMemory | null;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** A string the module passed (pointer + length in its memory). Throws on bad ranges or UTF-8. */
export function readString(ref: MemoryRef, ptr: number, len: number): string {
  if (!ref.memory) throw new InvalidArgumentError('the module exports no memory');
  const buf = new Uint8Array(ref.memory.buffer);
  if (ptr < 0 || len < 0 || ptr + len > buf.length) throw new InvalidArgumentError('string out of the module memory');
  return decoder.decode(buf.subarray(ptr, ptr + len));
}

/** A property as text: strings as they are, other values as JSON. */
export function propertyText(props: Properties, name: string): string | null {
  const v = props[name];
  if (v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The `ensemble` import module (docs/wasm.md):
 *
 * - `publish(path_ptr, path_len, value_ptr, value_len) -> errno`
 * - `property(name_ptr, name_len, buf_ptr, buf_len) -> i32`: the value's
 *   length in bytes (copies at most `buf_len` bytes), or -1 when unset
 * - `ready()`
 */
export function ensembleImports(ref: MemoryRef, host: HostBindings): Record<string, unknown> {
  return {
    publish: (pathPtr: number, pathLen: number, valuePtr: number, valueLen: number): number => {
      try {
        const path = readString(ref, pathPtr, pathLen);
        validateResourcePath(path);
        host.publish(path, readString(ref, valuePtr, valueLen));
        return ERRNO.success;
      } catch {
        return ERRNO.inval;
      }
    },
    property: (namePtr: number, nameLen: number, bufPtr: number, bufLen: number): number => {
      let name: string;
      try {
        name = readString(ref, namePtr, nameLen);
      } catch {
        return -1;
      }
      const text = propertyText(host.properties, name);
      if (text === null || !ref.memory) return -1;
      const bytes = encoder.encode(text);
      const mem = new Uint8Array(ref.memory.buffer);
      if (bufPtr >= 0 && bufLen > 0 && bufPtr + Math.min(bufLen, bytes.length) <= mem.length) mem.set(bytes.subarray(0, Math.min(bufLen, bytes.length)), bufPtr);
      return bytes.length;
    },
    ready: (): void => host.ready(),
  };
}

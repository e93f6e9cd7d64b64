import type * as grpc from '@grpc/grpc-js';
import { serverStream, unary } from '../../src/wire/grpc-handlers.js';
import type { Measure, StoreValue } from './measure.js';
import type { MeasureStore } from './measure-store.js';
import { StoreValueError } from './store-errors.js';

/** `ensemble.store.v1.Value` as proto-loader gives it (`kind` names the set field). */
export interface ValueMessage {
  number?: number;
  text?: string;
  boolean?: boolean;
  kind?: 'number' | 'text' | 'boolean';
}

/** `ensemble.store.v1.Measure` in JavaScript form. */
export interface MeasureMessage {
  key: string;
  value: ValueMessage;
  unit: string;
  timeMs: number;
}

/** The message form of a measure. */
export function toMeasureMessage(m: Measure): MeasureMessage {
  const value: ValueMessage = typeof m.value === 'number' ? { number: m.value } : typeof m.value === 'boolean' ? { boolean: m.value } : { text: m.value };
  return { key: m.key, value, unit: m.unit, timeMs: m.timeMs };
}

/** The value of a message; throws StoreValueError when no field is set. */
export function fromValueMessage(key: string, v: ValueMessage | null | undefined): StoreValue {
  switch (v?.kind) {
    case 'number':
      return Number(v.number);
    case 'text':
      return String(v.text ?? '');
    case 'boolean':
      return Boolean(v.boolean);
    default:
      throw new StoreValueError(`Set of key "${key}" has no value (set one of number, text, boolean)`);
  }
}

/** Handlers of `ensemble.store.v1.Store` over `store`. */
export function storeHandlers(store: MeasureStore): grpc.UntypedServiceImplementation {
  return {
    Set: unary((req: { key: string; value?: ValueMessage; unit: string }) => ({
      measure: toMeasureMessage(store.set(req.key, fromValueMessage(req.key, req.value), req.unit)),
    })),
    Get: unary((req: { key: string; history: number }) => ({
      measure: toMeasureMessage(store.get(req.key)),
      history: store.history(req.key, req.history).map(toMeasureMessage),
    })),
    List: unary((req: { prefix: string }) => ({ measures: store.list(req.prefix).map(toMeasureMessage) })),
    Watch: serverStream((req: { keys: string[]; prefix: string }, call: grpc.ServerWritableStream<unknown, { measure: MeasureMessage }>) => {
      const keys = new Set(req.keys);
      const prefix = req.prefix.replace(/\/$/, '');
      const matches = (key: string) => (keys.size === 0 || keys.has(key)) && (prefix === '' || key === prefix || key.startsWith(`${prefix}/`));
      const unsubscribe = store.onChange((m) => {
        if (matches(m.key)) call.write({ measure: toMeasureMessage(m) });
      });
      for (const m of store.list()) if (matches(m.key)) call.write({ measure: toMeasureMessage(m) });
      return unsubscribe;
    }),
  };
}

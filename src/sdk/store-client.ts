import type * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError } from '../common/errors.js';
import { serverStreamCall, unaryCall, type CallOptions, type Subscription } from './service-call.js';

/** A value in the store: a number, a text or a boolean (a key keeps the type of its first value). */
export type StoreValue = number | string | boolean;

/** A value with its unit of measure and when it was set (`ensemble.store.v1.Measure`). */
export interface Measure {
  /** Slash-separated key, e.g. `room/temp`. */
  readonly key: string;
  readonly value: StoreValue;
  /** Unit of measure (`C`, `%`); empty when none. */
  readonly unit: string;
  /** Epoch milliseconds of the Set. */
  readonly timeMs: number;
}

/** Options of {@link StoreClient.watch}. */
export interface StoreWatchOptions extends CallOptions {
  /** Keys to watch; empty or absent: every key (under `prefix`). */
  readonly keys?: readonly string[];
  /** Only keys equal to the prefix or under it. */
  readonly prefix?: string;
}

interface ValueMessage {
  kind?: string;
  number?: number;
  text?: string;
  boolean?: boolean;
}
interface MeasureMessage {
  key: string;
  value: ValueMessage | null;
  unit: string;
  timeMs: number;
}

function toValueMessage(value: StoreValue): ValueMessage {
  switch (typeof value) {
    case 'number':
      return { number: value };
    case 'string':
      return { text: value };
    case 'boolean':
      return { boolean: value };
    default:
      throw new InvalidArgumentError(`a store value is a number, a text or a boolean, not ${typeof value}`);
  }
}

function fromMeasureMessage(m: MeasureMessage): Measure {
  const v = m.value ?? {};
  const value: StoreValue = v.kind === 'text' ? (v.text ?? '') : v.kind === 'boolean' ? v.boolean === true : (v.number ?? 0);
  return { key: m.key, value, unit: m.unit, timeMs: Number(m.timeMs) };
}

/**
 * A typed client of the built-in measures store (`ensemble.store.v1.Store`,
 * docs/units.md "store"), made by `unit.store()`. It finds the store through
 * discovery and follows it when it restarts. Errors are EnsembleErrors with the
 * store's code and one-line message: `ENS_E_INVALID_ARGUMENT` (malformed key,
 * a value of another type than the key's, an undeclared key when strict),
 * `ENS_E_PATH_NOT_FOUND` (get of a key that does not exist), `ENS_E_UNREACHABLE`.
 */
export class StoreClient {
  /** @param client a grpc-js client of `ensemble.store.v1.Store` (the SDK's, through discovery). */
  constructor(readonly client: grpc.Client) {}

  /** Store `value` at `key` (with `unit`, or the key's declared or last unit); resolves the stored measure. */
  async set(key: string, value: StoreValue, options: CallOptions & { unit?: string } = {}): Promise<Measure> {
    const res = await unaryCall<{ measure: MeasureMessage }>(this.client, 'Set', { key, value: toValueMessage(value), unit: options.unit ?? '' }, options);
    return fromMeasureMessage(res.measure);
  }

  /** The current measure of `key`. */
  async get(key: string, options: CallOptions = {}): Promise<Measure> {
    const res = await unaryCall<{ measure: MeasureMessage }>(this.client, 'Get', { key, history: 0 }, options);
    return fromMeasureMessage(res.measure);
  }

  /** The current measure of `key` and up to `count` past ones (oldest first, the current one last). */
  async history(key: string, count: number, options: CallOptions = {}): Promise<{ measure: Measure; history: Measure[] }> {
    const res = await unaryCall<{ measure: MeasureMessage; history: MeasureMessage[] }>(this.client, 'Get', { key, history: count }, options);
    return { measure: fromMeasureMessage(res.measure), history: res.history.map(fromMeasureMessage) };
  }

  /** Current measures of every key, or of the keys equal to or under `prefix`, sorted by key. */
  async list(prefix = '', options: CallOptions = {}): Promise<Measure[]> {
    const res = await unaryCall<{ measures: MeasureMessage[] }>(this.client, 'List', { prefix }, options);
    return res.measures.map(fromMeasureMessage);
  }

  /**
   * The current measure of every matching key, then every change, until
   * `cancel()`: `for await (const m of unit.store().watch({ keys: ['room/temp'] }))`.
   * The loop throws `ENS_E_UNREACHABLE` when the store goes away (watch again).
   */
  watch(options: StoreWatchOptions = {}): Subscription<Measure> {
    return serverStreamCall<{ measure: MeasureMessage }, Measure>(
      this.client,
      'Watch',
      { keys: [...(options.keys ?? [])], prefix: options.prefix ?? '' },
      (m) => fromMeasureMessage(m.measure),
      options,
    );
  }

  /** Close the channel (the unit closes it too on `close()` and shutdown). */
  close(): void {
    this.client.close();
  }
}

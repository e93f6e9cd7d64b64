import type { Unit } from '../../src/sdk/index.js';
import type { SampleSink } from './sensor.js';

/** Samples into an `ensemble.store.v1.Store` found through discovery (by `service`: a name, alias or family). */
export function storeSink(unit: Unit, service: string): SampleSink {
  const store = unit.store(service);
  return {
    store(key, value, unitOfMeasure) {
      return store.set(key, value, { unit: unitOfMeasure, timeoutMs: 5000 }).then(
        () => undefined,
        (e: unknown) => {
          throw new Error(`store ${service}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        },
      );
    },
  };
}

import type * as grpc from '@grpc/grpc-js';
import type { Unit } from '../../src/sdk/index.js';
import { loadUnitProtos } from '../../src/wire/unit-protos.js';
import type { SampleSink } from './sensor.js';

/** Samples into an `ensemble.store.v1.Store` found through discovery (by `service`: a name, alias or family). */
export function storeSink(unit: Unit, service: string): SampleSink {
  const client = unit.client(service, loadUnitProtos().Store);
  return {
    store(key, value, unitOfMeasure) {
      const v = typeof value === 'number' ? { number: value } : typeof value === 'boolean' ? { boolean: value } : { text: value };
      return new Promise((resolve, reject) => {
        (client as unknown as { Set: (r: object, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null) => void) => void }).Set(
          { key, value: v, unit: unitOfMeasure },
          { deadline: Date.now() + 5000 },
          (e) => (e ? reject(new Error(`store ${service}: ${e.details || e.message}`)) : resolve()),
        );
      });
    },
  };
}

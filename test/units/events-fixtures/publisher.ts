/**
 * A test unit that publishes to the events service when its `publish`
 * resource is written: "COUNT [SIZE]" publishes COUNT events of SIZE bytes
 * on the topic of its `topic` property, one after the other.
 *
 * It finds the events service by family (property `events` to name another)
 * and proves who it is with an identity assertion for that service's name
 * (unit.identityFor), attached to every call by the client's interceptor.
 * For tests of refusals it also hands out assertions: write
 * "AUDIENCE [TTL_MS]" to `request`, then read `assertion`.
 */
import { connect } from '../../../src/sdk/index.js';
import { loadUnitProtos } from '../../../src/wire/unit-protos.js';

const unit = connect();
const props = unit.properties();
const topic = String(props.topic ?? 'test/topic');
const service = await unit.find(String(props.events ?? 'ensemble.events.v1.Events'));
const events = unit.client(service.name, loadUnitProtos().Events, { interceptors: [unit.identityFor(service.name).interceptor] });
let published = 0;
let request = { audience: service.name, ttlMs: 0 };

function publish(payload: string): Promise<void> {
  return new Promise((resolve, reject) => {
    (events as unknown as { Publish: (r: object, cb: (e: Error | null) => void) => void }).Publish({ topic, payload }, (e) => (e ? reject(e) : resolve()));
  });
}

unit.resource('published', { read: () => published });
unit.resource('publish', {
  write: (line) => {
    const [count, size] = line.trim().split(/\s+/).map(Number);
    void (async () => {
      for (let i = 0; i < (count ?? 1); i++) {
        await publish(JSON.stringify({ i, pad: 'x'.repeat(size ?? 0) }));
        published++;
      }
    })();
  },
});
unit.resource('request', {
  read: () => `${request.audience} ${request.ttlMs}`,
  write: (line) => {
    const [audience, ttl] = line.trim().split(/\s+/);
    request = { audience: audience ?? service.name, ttlMs: Number(ttl ?? 0) };
  },
});
unit.resource('assertion', { read: () => unit.identityFor(request.audience, { ttlMs: request.ttlMs }).assertion() });
await unit.serve();
await unit.ready();

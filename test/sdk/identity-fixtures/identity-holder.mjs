// An SDK unit that hands out its own identity assertions for tests: write
// "AUDIENCE [TTL_MS]" to its `request` resource, then each read of
// `assertion` returns a valid assertion for that audience (from
// unit.identityFor, cached and renewed by the SDK). Exits never on its own.
import { sdk } from '../../fixtures/sdk-import.mjs';

const unit = sdk.connect();
let audience = 'nobody';
let ttlMs = 0;
unit.resource('request', {
  read: () => `${audience} ${ttlMs}`,
  write: (line) => {
    const [a, t] = line.trim().split(/\s+/);
    audience = a ?? 'nobody';
    ttlMs = Number(t ?? 0);
  },
});
unit.resource('assertion', { read: () => unit.identityFor(audience, { ttlMs }).assertion() });
await unit.serve();
await unit.ready();

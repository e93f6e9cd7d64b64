// A real SDK unit that uses the typed clients of the built-in services and
// prints one `result NAME JSON` line per step, for test/sdk/typed-clients.test.ts.
// It serves a writable, watchable resource `setpoint`; with properties.peer it
// also drives that unit's resources through unit.resourcesOf(peer).
import { sdk } from '../../fixtures/sdk-import.mjs';

const unit = sdk.connect();
const props = unit.properties();
const result = (name, value) => console.log(`result ${name} ${JSON.stringify(value)}`);
const failure = (e) => ({ code: e.code, message: e.message, isEnsembleError: sdk.isEnsembleError(e) });

let setpoint = 20;
const handle = unit.resource('setpoint', {
  read: () => setpoint,
  write: (v) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error('setpoint must be a number');
    setpoint = n;
    void handle.changed();
  },
  watch: true,
  description: 'wanted value',
});
await unit.serve();

/** The first `n` items of a subscription, then cancel it. */
async function take(subscription, n, during = async () => {}) {
  const seen = [];
  const pending = (async () => {
    for await (const item of subscription) {
      seen.push(item);
      if (seen.length === n) subscription.cancel();
    }
  })();
  await during(seen);
  await pending;
  return seen;
}
const until = async (seen, n) => {
  while (seen.length < n) await new Promise((r) => setTimeout(r, 20));
};

if (props.mode === 'store') {
  const store = unit.store();
  result('set', await store.set('room/temp', 20.5, { unit: 'C', waitForReady: true }));
  await store.set('room/temp', 21);
  await store.set('room/door', true);
  await store.set('mode', 'eco');
  result('get', await store.get('room/temp'));
  result('history', await store.history('room/temp', 5));
  result('list', (await store.list('room')).map((m) => [m.key, m.value]));
  result('wrong-type', await store.set('room/temp', 'warm').then(() => 'accepted', failure));
  result('missing', await store.get('nothing').then(() => 'found', failure));
  const watched = await take(store.watch({ keys: ['room/temp'] }), 3, async (seen) => {
    await until(seen, 1);
    await store.set('room/temp', 22);
    await until(seen, 2);
    await store.set('room/door', false); // not watched
    await store.set('room/temp', 23);
  });
  result('watch', watched.map((m) => m.value));
}

if (props.mode === 'events') {
  const events = unit.events();
  const sub = await events.subscribe(['alerts/#'], { waitForReady: true });
  const received = await take(sub, 2, async () => {
    // The subscription is open once the events unit counts it.
    const count = unit.resourcesOf('events');
    while ((await count.read('subscribers').catch(() => '0')) === '0') await new Promise((r) => setTimeout(r, 20));
    result('publish', await events.publish('alerts/memory', { used: 91 }));
    await events.publish('other/topic', 'ignored');
    await events.publish('alerts/disk', 'full');
  });
  result('received', received.map((e) => ({ topic: e.topic, payload: e.payload, publisher: e.publisher, sequence: e.sequence })));
  result('bad-topic', await events.publish('alerts/#', 'x').then(() => 'accepted', failure));
}

if (props.peer) {
  const peer = unit.resourcesOf(props.peer);
  result('peer-list', await peer.list({ waitForReady: true }));
  result('peer-read', await peer.read('setpoint'));
  const changes = await take(peer.watch('setpoint'), 2, async (seen) => {
    await until(seen, 1);
    await peer.write('setpoint', 25);
  });
  result('peer-watch', changes.map((c) => c.value));
  result('peer-read-after', await peer.read('setpoint'));
  result('peer-refused', await peer.write('setpoint', 'warm').then(() => 'accepted', failure));
  result('peer-missing', await peer.read('nothing').then(() => 'found', failure));
}

result('done', unit.name);
await unit.ready();

// A unit written with the SDK (docs/sdk.md): it finds the sensor host through
// discovery, reads two of its sensors, writes the derived memory use to the
// store and publishes an event when it is above the alert setpoint, which is
// a writable resource: `echo 75 > <mount>/units/derive/alert_percent`.
import { fileURLToPath, URL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { connect } from 'ensemble/sdk';

const protoDir = fileURLToPath(new URL('../../proto/', import.meta.url));
const loaded = grpc.loadPackageDefinition(
  protoLoader.loadSync(['ensemble/store/v1/store.proto', 'ensemble/events/v1/events.proto', 'ensemble/resources/v1/resources.proto'], {
    includeDirs: [protoDir],
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  }),
);
const { Store } = loaded.ensemble.store.v1;
const { Events } = loaded.ensemble.events.v1;
const { Resources } = loaded.ensemble.resources.v1;

const unit = connect();
const props = unit.properties();
let alertPercent = Number(props.alert_percent ?? 90);
let usedPercent = null;
let lastError = '';

const store = unit.client('ensemble.store.v1.Store', Store);
const sensors = unit.client(String(props.sensors ?? 'sensors.resources'), Resources);
// Events: the publisher proves who it is with an identity assertion for the events
// service's name (never with its ENSEMBLE_TOKEN); the client is made on first use.
let events = null;
let alerts = 0;
async function eventsClient() {
  if (events === null) {
    const { name } = await unit.find('ensemble.events.v1.Events');
    events = unit.client(name, Events, { interceptors: [unit.identityFor(name).interceptor] });
  }
  return events;
}

const call = (client, method, request, metadata = new grpc.Metadata()) =>
  new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: Date.now() + 5000 }, (err, res) => (err ? reject(err) : resolve(res))),
  );

const used = unit.resource('mem_used_percent', { read: () => (usedPercent === null ? '' : usedPercent.toFixed(1)), watch: true });
unit.resource('alert_percent', {
  read: () => alertPercent,
  write: (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > 100) throw new Error('alert_percent must be a number between 0 and 100');
    alertPercent = n;
    console.log(`alert setpoint is now ${n}%`);
  },
});
unit.resource('error', { read: () => lastError });

async function derive() {
  try {
    const total = Number((await call(sensors, 'Read', { path: 'dev/mem_total' })).value);
    const available = Number((await call(sensors, 'Read', { path: 'dev/mem_available' })).value);
    if (!(total > 0)) throw new Error('no memory total yet');
    usedPercent = (100 * (total - available)) / total;
    await used.changed();
    await call(store, 'Set', { key: 'host/mem_used_percent', value: { number: Math.round(usedPercent * 10) / 10 }, unit: '%' });
    if (usedPercent > alertPercent) {
      const res = await call(await eventsClient(), 'Publish', { topic: 'alerts/memory', payload: JSON.stringify({ used_percent: usedPercent, alert_percent: alertPercent }) });
      if (alerts++ === 0) console.log(`published the first memory alert (event ${res.sequence}, memory use ${usedPercent.toFixed(1)}% above ${alertPercent}%)`);
    }
    if (lastError) console.log('deriving works again');
    lastError = '';
  } catch (e) {
    const message = e.details ?? e.message;
    if (message !== lastError) console.error(`cannot derive memory use: ${message}`);
    lastError = message;
  }
}

const service = await unit.find(String(props.sensors ?? 'sensors.resources'));
console.log(`found the sensors of unit "${service.unit}" at ${service.address} through discovery`);
await unit.serve();
await derive();
const timer = setInterval(derive, 5000);
unit.onShutdown(() => clearInterval(timer));
await unit.ready();

// A unit written with the SDK (docs/sdk.md): it finds the sensor host through
// discovery, reads two of its sensors, writes the derived memory use to the
// store and publishes an event when it is above the alert setpoint, which is
// a writable resource: `echo 75 > <mount>/units/derive/alert_percent`.
// It imports only `ensemble/sdk`: the typed clients of the built-in store and
// events and of another unit's resources need no .proto file and no grpc-js.
import { connect } from 'ensemble/sdk';

const unit = connect();
const props = unit.properties();
// `sensors` names the sensor host's Resources service ("sensors.resources").
const sensorsService = String(props.sensors ?? 'sensors.resources');
let alertPercent = Number(props.alert_percent ?? 90);
let usedPercent = null;
let lastError = '';

const store = unit.store();
const sensors = unit.resourcesOf(sensorsService.replace(/\.resources$/, ''));
// Publishing proves who this unit is with an identity assertion for the events
// service's name (never its ENSEMBLE_TOKEN); unit.events() does that itself.
const events = unit.events();
let alerts = 0;

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
    const total = Number(await sensors.read('dev/mem_total', { timeoutMs: 5000 }));
    const available = Number(await sensors.read('dev/mem_available', { timeoutMs: 5000 }));
    if (!(total > 0)) throw new Error('no memory total yet');
    usedPercent = (100 * (total - available)) / total;
    await used.changed();
    await store.set('host/mem_used_percent', Math.round(usedPercent * 10) / 10, { unit: '%', timeoutMs: 5000 });
    if (usedPercent > alertPercent) {
      const res = await events.publish('alerts/memory', { used_percent: usedPercent, alert_percent: alertPercent }, { timeoutMs: 5000 });
      if (alerts++ === 0) console.log(`published the first memory alert (event ${res.sequence}, memory use ${usedPercent.toFixed(1)}% above ${alertPercent}%)`);
    }
    if (lastError) console.log('deriving works again');
    lastError = '';
  } catch (e) {
    const message = e.message;
    if (message !== lastError) console.error(`cannot derive memory use: ${message}`);
    lastError = message;
  }
}

const service = await unit.find(sensorsService);
console.log(`found the sensors of unit "${service.unit}" at ${service.address} through discovery`);
await unit.serve();
await derive();
const timer = setInterval(derive, 5000);
unit.onShutdown(() => clearInterval(timer));
await unit.ready();

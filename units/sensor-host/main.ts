/**
 * `@ensemble/sensor-host`: samples each `service runner` child (a command or
 * a file) at its interval and publishes the values as the host's resources
 * (docs/units.md "sensor-host").
 *
 * Host properties: `store` (the store service to write `store_key`s to,
 * default the family `ensemble.store.v1.Store`).
 */
import { connect } from '../../src/sdk/index.js';
import { hostChildren } from '../common/host-children.js';
import { stringProperty } from '../common/properties.js';
import { unitLog } from '../common/unit-log.js';
import { Sensor } from './sensor.js';
import { storeSink } from './store-sink.js';

const unit = connect();
const props = unit.properties();
const children = hostChildren(props, unit.name);
const wantsStore = children.some((c) => c.properties.store_key !== undefined);
const sink = wantsStore ? storeSink(unit, stringProperty(props, 'store', 'ensemble.store.v1.Store', unit.name)) : null;
const sensors = children.map((c) => new Sensor(c, process.cwd(), sink));
const devices = new Map<string, string>();
for (const s of sensors) {
  const other = devices.get(s.device);
  if (other) throw new Error(`sensors ${other} and ${s.name} both publish at "${s.device}": give each its own device`);
  devices.set(s.device, s.name);
  s.serveResources(unit);
}
await unit.serve();
// The first sample of every sensor before ready, so readers never see an empty value after start.
await Promise.all(sensors.map((s) => s.sample()));
for (const s of sensors) s.start();
unit.onShutdown(() => sensors.forEach((s) => s.stop()));
await unit.ready();
unitLog.info(`sensor host ready: ${sensors.map((s) => `${s.name} → ${s.device}`).join(', ') || 'no sensors'}`);

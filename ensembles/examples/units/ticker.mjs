// A small unit written with the SDK, meant to run inside @ensemble/node-host
// (several copies with different properties in one process): it counts up
// every `interval` milliseconds into the store key `key` and serves the count
// as a resource that can be reset with `echo 0 > …/units/apps/<name>/count`.
import { connect } from 'ensemble/sdk';

const unit = connect();
const { key = `tickers/${unit.name}`, step = 1, interval = 1000 } = unit.properties();
const store = unit.store();
let count = 0;

const counter = unit.resource('count', {
  read: () => count,
  write: (value) => {
    count = Number(value);
    if (!Number.isFinite(count)) throw new Error('count must be a number');
  },
  watch: true,
});

const timer = setInterval(() => {
  count += Number(step);
  void counter.changed();
  store.set(key, count).catch(() => undefined);
}, Number(interval));
unit.onShutdown(() => clearInterval(timer));
await unit.serve();
await unit.ready();
console.log(`${unit.name}: counting by ${step} into ${key}`);

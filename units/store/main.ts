/**
 * `@ensemble/store`: the measures store (docs/units.md "store").
 *
 * Properties: `persist` (file, relative to the unit's state directory),
 * `history` (measures kept per key, default 100), `strict` (refuse
 * undeclared keys), `keys { … }` (declarations), `save_delay` (default 200ms).
 */
import { isAbsolute, resolve } from 'node:path';
import { connect } from '../../src/sdk/index.js';
import { booleanProperty, durationProperty, integerProperty, stringProperty } from '../common/properties.js';
import { errorMessage, unitLog } from '../common/unit-log.js';
import { loadUnitProtos } from '../../src/wire/unit-protos.js';
import { keyDeclarations } from './key-schema.js';
import { MeasureStore } from './measure-store.js';
import { loadSnapshot, SnapshotWriter } from './persistence.js';
import { serveKeyResources } from './key-resources.js';
import { storeHandlers } from './store-service.js';

const unit = connect();
const props = unit.properties();
const owner = unit.name;
const store = new MeasureStore({
  history: Math.max(1, integerProperty(props, 'history', 100, owner)),
  strict: booleanProperty(props, 'strict', false, owner),
  declarations: keyDeclarations(props, owner),
});

const persist = stringProperty(props, 'persist', null, owner);
let writer: SnapshotWriter | null = null;
if (persist !== null) {
  const file = isAbsolute(persist) ? persist : resolve(unit.stateDir ?? process.cwd(), persist);
  try {
    const saved = loadSnapshot(file);
    if (saved) for (const problem of store.restore(saved)) unitLog.warn(problem);
    unitLog.info(`persisting to ${file}${saved ? ` (${Object.keys(saved.keys).length} keys restored)` : ''}`);
  } catch (e) {
    unitLog.error(`cannot read ${file}: ${errorMessage(e)}; starting empty and keeping the file until the first save`);
  }
  writer = new SnapshotWriter(file, () => store.snapshot(), durationProperty(props, 'save_delay', 200, owner), (e) =>
    unitLog.error(`cannot save ${file}: ${errorMessage(e)}`),
  );
  const w = writer;
  store.onChange(() => w.changed());
}
store.applyDefaults();
serveKeyResources(unit, store);

const { Store } = loadUnitProtos();
await unit.serve({ services: [{ service: Store.service, implementation: storeHandlers(store), friendlyName: 'measures store' }] });
unit.onShutdown(() => writer?.flush());
await unit.ready();
unitLog.info(`store ready: ${store.keys().length} keys`);

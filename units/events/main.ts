/**
 * `@ensemble/events`: publish/subscribe with MQTT-style topic filters
 * (docs/units.md "events").
 *
 * Properties: `queue` (per-subscriber queue length, default 1000),
 * `max_payload` (bytes or a size such as "64KB", default 64KB),
 * `retention` (duration events are kept for `replay`, default none),
 * `retain_max` (default 10000).
 *
 * Publishers prove who they are with an identity assertion for this unit's
 * service name (the SDK's `unit.identityFor(name)`), verified through the
 * supervisor; they never hand their ENSEMBLE_TOKEN to this unit.
 */
import { parseSize } from '../../src/sdk/host.js';
import { connect } from '../../src/sdk/index.js';
import { durationProperty, integerProperty, PropertyError } from '../common/properties.js';
import { unitLog } from '../common/unit-log.js';
import { loadUnitProtos } from '../../src/wire/unit-protos.js';
import { EventBus } from './event-bus.js';
import { eventsHandlers } from './events-service.js';

const unit = connect();
const props = unit.properties();
const owner = unit.name;
const rawPayload = props.max_payload ?? 65536;
const maxPayload = typeof rawPayload === 'number' ? rawPayload : parseSize(String(rawPayload));
if (maxPayload === null || maxPayload <= 0) throw new PropertyError(owner, 'max_payload', 'a size such as "64KB"', rawPayload);
const queue = Math.max(1, integerProperty(props, 'queue', 1000, owner));
const retentionMs = props.retention === undefined ? 0 : durationProperty(props, 'retention', 0, owner);
const bus = new EventBus({ maxPayload, retentionMs, retainMax: Math.max(1, integerProperty(props, 'retain_max', 10_000, owner)) });

const { Events } = loadUnitProtos();
await unit.serve({ services: [{ service: Events.service, implementation: eventsHandlers({ bus, identify: (call) => unit.callerIdentity(call), queue }), friendlyName: 'events' }] });
unit.resource('subscribers', { read: () => bus.subscriberCount, description: 'current subscriber count' });
await unit.ready();
unitLog.info(`events ready: queue ${queue}, max payload ${maxPayload} bytes${retentionMs > 0 ? `, retention ${retentionMs} ms` : ''}`);

import type { ResourceHandle, Unit } from '../../src/sdk/index.js';
import type { HostChild } from '../common/host-children.js';
import { durationProperty, stringProperty } from '../common/properties.js';
import { errorMessage, unitLog } from '../common/unit-log.js';
import { parseSample, parseSpec, type ParseSpec } from './sample-parser.js';
import { sampleSource, takeSample, type SampleSource } from './sample-source.js';

/** Where a sensor's value goes besides its resource. */
export interface SampleSink {
  /** Write `value` to the store key `key` (with unit of measure `unit`). */
  store(key: string, value: string | number | boolean, unit: string): Promise<void>;
}

/**
 * One `service runner` child of the sensor host: samples every `interval`,
 * publishes the value at its `device` resource path and its last error at
 * `errors/<name>` (empty when the last sample worked). A failing sample is
 * logged once per new message and never stops the host.
 */
export class Sensor {
  readonly name: string;
  readonly device: string;
  private readonly source: SampleSource;
  private readonly spec: ParseSpec;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly storeKey: string | null;
  private readonly unitOfMeasure: string;
  private value: string | number | boolean | null = null;
  private error = '';
  private samples = 0;
  private timer: NodeJS.Timeout | null = null;
  private valueHandle: ResourceHandle | null = null;
  private errorHandle: ResourceHandle | null = null;

  constructor(
    child: HostChild,
    cwd: string,
    private readonly sink: SampleSink | null,
  ) {
    const owner = `service runner ${child.name}`;
    this.name = child.name;
    this.device = devicePath(stringProperty(child.properties, 'device', child.name, owner));
    this.source = sampleSource(child, cwd);
    this.spec = parseSpec(child.properties, owner);
    this.intervalMs = durationProperty(child.properties, 'interval', 10_000, owner);
    this.timeoutMs = durationProperty(child.properties, 'timeout', Math.min(this.intervalMs, 10_000), owner);
    this.storeKey = stringProperty(child.properties, 'store_key', null, owner);
    this.unitOfMeasure = stringProperty(child.properties, 'unit', '', owner);
  }

  /** Serve the value and error resources on `unit`. */
  serveResources(unit: Unit): void {
    this.valueHandle = unit.resource(this.device, {
      read: () => (this.value === null ? '' : this.value),
      watch: true,
      description: `sensor ${this.name}${this.unitOfMeasure ? ` (${this.unitOfMeasure})` : ''}`,
    });
    this.errorHandle = unit.resource(`errors/${this.name}`, { read: () => this.error, watch: true, description: `last sampling error of ${this.name}` });
  }

  /** Take one sample now (never throws). */
  async sample(): Promise<void> {
    try {
      const value = parseSample(await takeSample(this.source, this.timeoutMs), this.spec);
      this.samples++;
      const changed = value !== this.value;
      this.value = value;
      if (changed) void this.valueHandle?.changed(value);
      if (this.storeKey && this.sink) await this.sink.store(this.storeKey, value, this.unitOfMeasure);
      this.setError('');
    } catch (e) {
      this.setError(errorMessage(e));
    }
  }

  /** Sample every `interval` until {@link stop}. */
  start(): void {
    const loop = () => {
      this.timer = setTimeout(() => void this.sample().finally(loop), this.intervalMs);
    };
    loop();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private setError(message: string): void {
    if (message === this.error) return;
    if (message) unitLog.error(`sensor ${this.name}: ${message}`);
    else if (this.error) unitLog.info(`sensor ${this.name}: sampling works again`);
    this.error = message;
    void this.errorHandle?.changed(message);
  }
}

/** `~/dev/cpu` → `dev/cpu` (the host's own resource); a path without `~/` is taken as it is. */
export function devicePath(device: string): string {
  return device.startsWith('~/') ? device.slice(2) : device.replace(/^\/+/, '');
}

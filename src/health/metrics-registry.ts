import { readdirSync } from 'node:fs';
import { Counter, Gauge, Registry } from 'prom-client';
import type { SupervisorControl } from '../supervisor/lifecycle/control.js';
import { UNIT_STATES } from '../supervisor/lifecycle/unit-state.js';
import type { UnitStatus } from '../supervisor/lifecycle/unit-state.js';

/** What the metrics read from the supervisor: only its read side. */
export type MetricsSource = Pick<SupervisorControl, 'status' | 'listUnits'>;

/** States in which a unit's process serves (`ensemble_unit_up` = 1). */
const UP_STATES = new Set(['ready', 'degraded']);

/**
 * A private prom-client registry whose every value is read from `source` at
 * scrape time (collect callbacks): no timers, nothing cached between scrapes.
 * Units that disappear from `listUnits()` disappear from the output.
 */
export function createMetricsRegistry(source: MetricsSource): Registry {
  const registry = new Registry();
  const registers = [registry];
  // One listUnits() per scrape, shared by every unit metric: prom-client calls
  // every collect callback synchronously within one registry.metrics() call,
  // so the snapshot is dropped again in the next microtask.
  let snapshot: UnitStatus[] | null = null;
  const units = (): UnitStatus[] => {
    if (snapshot === null) {
      snapshot = source.listUnits();
      queueMicrotask(() => {
        snapshot = null;
      });
    }
    return snapshot;
  };

  new Gauge({
    name: 'ensemble_unit_state',
    help: 'Lifecycle state of the unit: 1 for the current state, 0 for the others.',
    labelNames: ['unit', 'state'],
    registers,
    collect() {
      this.reset();
      for (const unit of units()) for (const state of UNIT_STATES) this.set({ unit: unit.name, state }, unit.state === state ? 1 : 0);
    },
  });
  new Counter({
    name: 'ensemble_unit_restarts_total',
    help: 'Automatic restarts of the unit since the supervisor started (or an operator last started it).',
    labelNames: ['unit'],
    registers,
    collect() {
      this.reset();
      for (const unit of units()) this.inc({ unit: unit.name }, unit.restarts);
    },
  });
  new Gauge({
    name: 'ensemble_unit_up',
    help: 'Whether the unit is running and serving (state ready or degraded).',
    labelNames: ['unit'],
    registers,
    collect() {
      this.reset();
      for (const unit of units()) this.set({ unit: unit.name }, UP_STATES.has(unit.state) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ensemble_unit_cpu_percent',
    help: "Smoothed CPU use of the unit's process tree, percent of one core (absent when not sampled).",
    labelNames: ['unit'],
    registers,
    collect() {
      this.reset();
      for (const unit of units()) if (unit.cpuPercent !== null) this.set({ unit: unit.name }, unit.cpuPercent);
    },
  });
  new Gauge({
    name: 'ensemble_unit_memory_bytes',
    help: "Resident memory of the unit's process tree in bytes (absent when not sampled).",
    labelNames: ['unit'],
    registers,
    collect() {
      this.reset();
      for (const unit of units()) if (unit.memoryBytes !== null) this.set({ unit: unit.name }, unit.memoryBytes);
    },
  });
  new Gauge({
    name: 'ensemble_unit_health',
    help: "Result of the unit's last health probe: 1 passing, 0 failing (absent without a probe or before its first result).",
    labelNames: ['unit'],
    registers,
    collect() {
      this.reset();
      for (const unit of units()) if (unit.health !== 'unknown') this.set({ unit: unit.name }, unit.health === 'passing' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ensemble_unit_limits',
    help: "How the unit's resource limits are enforced (1 for the mechanism in force).",
    labelNames: ['unit', 'mechanism'],
    registers,
    collect() {
      this.reset();
      for (const unit of units()) this.set({ unit: unit.name, mechanism: unit.limits }, 1);
    },
  });
  registerSupervisorMetrics(source, registers);
  return registry;
}

/** The supervisor's own metrics, with the conventional names of Prometheus client libraries. */
function registerSupervisorMetrics(source: MetricsSource, registers: Registry[]): void {
  new Gauge({
    name: 'ensemble_supervisor_info',
    help: 'The supervisor: version, node name and state as labels, value 1.',
    labelNames: ['version', 'node', 'state'],
    registers,
    collect() {
      this.reset();
      const status = source.status();
      this.set({ version: status.version, node: status.node, state: status.state }, 1);
    },
  });
  new Gauge({
    name: 'ensemble_supervisor_units',
    help: 'Units of the running system.',
    registers,
    collect() {
      this.set(source.status().units);
    },
  });
  new Gauge({
    name: 'ensemble_supervisor_ready_units',
    help: 'Units that are ready.',
    registers,
    collect() {
      this.set(source.status().readyUnits);
    },
  });
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time of the supervisor process, seconds.',
    registers,
    collect() {
      const usage = process.cpuUsage();
      this.reset();
      this.inc((usage.user + usage.system) / 1e6);
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory of the supervisor process, bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the supervisor process since the Unix epoch, seconds.',
    registers,
    collect() {
      this.set(Math.round(Date.now() / 1000 - process.uptime()));
    },
  });
  new Gauge({
    name: 'process_open_fds',
    help: 'Open file descriptors of the supervisor process.',
    registers,
    collect() {
      try {
        this.set(readdirSync('/proc/self/fd').length);
      } catch {
        this.reset();
      }
    },
  });
  new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'V8 heap used by the supervisor, bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
}

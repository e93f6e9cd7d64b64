import type * as grpc from '@grpc/grpc-js';
import type { UnitSpec } from '../ensemble/plan.js';
import { addActiveSecrets } from '../ensemble/active-secrets.js';
import { AlreadyExistsError, InvalidArgumentError, UnsupportedError } from '../common/errors.js';
import type { SupervisorControl } from '../supervisor/lifecycle/control.js';
import type { LogLine } from '../supervisor/lifecycle/unit-state.js';
import { droppedLinesMessage } from './dropped-lines.js';
import { serverStream, unary } from '../wire/grpc-handlers.js';
import { DEFAULT_OUTBOX_MESSAGES, StreamOutbox } from '../wire/stream-outbox.js';
import { IdentityAuthority } from './identity-assertion.js';
import { identityHandlers } from './identity-handlers.js';
import { toReloadMessage } from './reload-messages.js';
import { toLogLineMessage, toStatusMessage, toUnitMessage, type LogLineMessage, type UnitMessage } from './supervisor-messages.js';
import { authenticateUnit } from './token.js';

/** What the Supervisor service needs. */
export interface SupervisorServiceOptions {
  readonly control: SupervisorControl;
  /**
   * Compile one runner in ensemble syntax into a unit spec (validated like a
   * file; throws the language's PlanError). Without it AddUnit answers UNIMPLEMENTED.
   */
  readonly compileUnit?: (runner: string) => Promise<UnitSpec> | UnitSpec;
  /** Called when Shutdown's answer has been sent (default: control.shutdown()). */
  readonly onShutdownRequested?: () => void;
  /** Issues and verifies unit identity assertions (default: a new one with its own secret). */
  readonly identity?: IdentityAuthority;
}

interface UnitRequest {
  unit: string;
}

/** Handlers of `ensemble.supervisor.v1.Supervisor`. */
export function supervisorHandlers({ control, compileUnit, onShutdownRequested, identity }: SupervisorServiceOptions): grpc.UntypedServiceImplementation {
  const unitName = (req: UnitRequest, rpc: string): string => {
    if (req.unit === '') throw new InvalidArgumentError(`${rpc} needs a unit name`);
    return req.unit;
  };
  return {
    Status: unary(() => toStatusMessage(control.status())),
    ListUnits: unary(() => ({ units: control.listUnits().map(toUnitMessage) })),
    GetUnit: unary((req: UnitRequest) => ({ unit: toUnitMessage(control.getUnit(unitName(req, 'GetUnit'))) })),
    StartUnit: unary(async (req: UnitRequest) => ({ unit: toUnitMessage(await control.startUnit(unitName(req, 'StartUnit'))) })),
    StopUnit: unary(async (req: UnitRequest) => ({ unit: toUnitMessage(await control.stopUnit(unitName(req, 'StopUnit'))) })),
    RestartUnit: unary(async (req: UnitRequest) => ({ unit: toUnitMessage(await control.restartUnit(unitName(req, 'RestartUnit'))) })),
    AddUnit: unary(async (req: { runner: string }) => {
      if (!compileUnit) throw new UnsupportedError('AddUnit is not supported by this supervisor build');
      if (req.runner.trim() === '') throw new InvalidArgumentError('AddUnit needs a runner in ensemble syntax, e.g. runner echo "./echo.js" {}');
      const spec = await compileUnit(req.runner);
      if (control.listUnits().some((u) => u.name === spec.name)) throw new AlreadyExistsError(`unit "${spec.name}" already exists`);
      // The new unit's secrets are masked like the plan's (docs/language.md "Secrets").
      addActiveSecrets({ ...control.plan, units: [spec] });
      return { unit: toUnitMessage(await control.addUnit(spec)) };
    }),
    RemoveUnit: unary(async (req: UnitRequest) => {
      await control.removeUnit(unitName(req, 'RemoveUnit'));
      return {};
    }),
    Ready: unary((req: UnitRequest, call) => {
      control.markReady(authenticateUnit(call.metadata, req.unit, (t) => control.unitForToken(t), 'Ready'));
      return {};
    }),
    Logs: serverStream((req: { unit: string; tail?: number; follow: boolean }, call) => {
      const units = req.unit === '' ? control.listUnits().map((u) => u.name) : [control.getUnit(req.unit).name];
      const n = req.tail ?? Number.MAX_SAFE_INTEGER;
      const tail = n === 0 ? [] : units.flatMap((u) => control.tailLogs(u, n)).sort((a, b) => a.time - b.time).slice(-n);
      // A follower that does not keep up loses lines, and is told how many where they were lost.
      const out = new StreamOutbox<LogLineMessage>(call, {
        kind: 'lossy',
        maxMessages: DEFAULT_OUTBOX_MESSAGES + tail.length,
        gap: (n) => droppedLinesMessage(req.unit, n),
      });
      // Subscribing in the same tick as the tail leaves no gap and no duplicate.
      const unsubscribe = req.follow ? control.subscribeLogs(req.unit === '' ? null : req.unit, (l: LogLine) => out.send(toLogLineMessage(l))) : null;
      for (const line of tail) out.send(toLogLineMessage(line));
      return out.follow(unsubscribe);
    }),
    WatchUnits: serverStream((req: { units: string[] }, call) => {
      const wanted = new Set(req.units.map((u) => control.getUnit(u).name));
      // A slow watcher gets each unit's latest status, not every step in between.
      const out = new StreamOutbox<{ unit: UnitMessage }>(call, { kind: 'latest', key: (m) => m.unit.name });
      const unsubscribe = control.onUnitChange((status) => {
        if (wanted.size === 0 || wanted.has(status.name)) out.send({ unit: toUnitMessage(status) });
      });
      for (const status of control.listUnits()) {
        if (wanted.size === 0 || wanted.has(status.name)) out.send({ unit: toUnitMessage(status) });
      }
      return () => {
        unsubscribe();
        out.close();
      };
    }),
    Reload: unary(async (req: { file: string; dryRun: boolean }) => {
      const file = req.file === '' ? undefined : req.file;
      return toReloadMessage(await (req.dryRun ? control.diff(file) : control.reload(file)));
    }),
    WatchProperties: serverStream((req: UnitRequest, call) => {
      const unit = authenticateUnit(call.metadata, req.unit, (t) => control.unitForToken(t), 'WatchProperties');
      const out = new StreamOutbox<{ propertiesJson: string }>(call, { kind: 'latest', key: () => 'properties' });
      const unsubscribe = control.watchProperties(unit, (properties) => out.send({ propertiesJson: JSON.stringify(properties) }));
      return () => {
        unsubscribe();
        out.close();
      };
    }),
    ...identityHandlers(identity ?? new IdentityAuthority({ unitForToken: (t) => control.unitForToken(t) }), control),
    Shutdown: unary(() => {
      // Answer first; stop once the answer is on its way.
      setImmediate(() => (onShutdownRequested ?? (() => void control.shutdown().catch(() => undefined)))());
      return {};
    }),
  };
}

import { redactSecrets } from '../ensemble/active-secrets.js';
import type { SupervisorStatus, UnitStatus } from '../supervisor/lifecycle/unit-state.js';
import { FileViewError } from './errno.js';
import type { SupervisorAction, TreeBackend, UnitAction } from './tree-backend.js';
import { staticDir, valueFile, type DirNode, type FileNode } from './tree-node.js';

/** The files of `status/<unit>/` besides `control`, and how each renders a status. */
export const UNIT_STATUS_FILES: Readonly<Record<string, (s: UnitStatus) => string>> = {
  state: (s) => s.state,
  pid: (s) => (s.pid === null ? '' : String(s.pid)),
  restarts: (s) => String(s.restarts),
  exit_code: (s) => (s.exitCode !== null ? String(s.exitCode) : (s.exitSignal ?? '')),
  cpu: (s) => (s.cpuPercent === null ? '' : s.cpuPercent.toFixed(1)),
  memory: (s) => (s.memoryBytes === null ? '' : String(Math.round(s.memoryBytes))),
  since: (s) => new Date(s.since).toISOString(),
  // Secret values of the running plan masked (docs/language.md "Secrets").
  error: (s) => redactSecrets(s.error ?? '').replace(/\n/g, ' '),
};

/** The files of `supervisor/` besides `control`. */
export const SUPERVISOR_FILES: Readonly<Record<string, (s: SupervisorStatus) => string>> = {
  state: (s) => s.state,
  pid: (s) => String(s.pid),
  version: (s) => s.version,
};

const UNIT_ACTIONS: readonly UnitAction[] = ['start', 'stop', 'restart'];
const SUPERVISOR_ACTIONS: readonly SupervisorAction[] = ['reload', 'shutdown'];

/** Fields that change with the unit's state, so `since` dates their changes (cpu and memory are sampled). */
const CHANGES_WITH_STATE = new Set(['state', 'pid', 'restarts', 'exit_code', 'since', 'error']);

/** `status/<unit>/`: one small read-only file per field plus `control`. */
export function unitStatusDir(backend: TreeBackend, unit: string): DirNode {
  const children: Record<string, FileNode> = {};
  for (const [file, render] of Object.entries(UNIT_STATUS_FILES)) {
    let since: number | undefined;
    const node = valueFile(
      async () => {
        const s = await backend.getUnit(unit);
        since = s.since;
        return render(s);
      },
      (onContent, onError) => watchUnitField(backend, unit, render, onContent, onError),
    );
    children[file] = CHANGES_WITH_STATE.has(file) ? { ...node, changedAt: () => since } : node;
  }
  children.control = controlFile(UNIT_ACTIONS, `status/${unit}/control`, (a) => backend.controlUnit(unit, a));
  return staticDir(children);
}

/** `supervisor/`: state, pid, version and `control`. */
export function supervisorDir(backend: TreeBackend): DirNode {
  const children: Record<string, FileNode> = {};
  for (const [file, render] of Object.entries(SUPERVISOR_FILES)) {
    children[file] = valueFile(async () => render(await backend.supervisorStatus()));
  }
  children.control = controlFile(SUPERVISOR_ACTIONS, 'supervisor/control', (a) => backend.controlSupervisor(a));
  return staticDir(children);
}

/**
 * A control file: each written line must be one of `actions` (EINVAL
 * otherwise). Reading it lists the accepted words, separated by `|`.
 */
function controlFile<A extends string>(actions: readonly A[], path: string, run: (action: A) => Promise<void>): FileNode {
  return {
    kind: 'file',
    access: 'read-write',
    read: () => Promise.resolve(`${actions.join('|')}\n`),
    write: async (line) => {
      const word = line.trim();
      if (word === '') return;
      if (!(actions as readonly string[]).includes(word)) {
        throw new FileViewError('EINVAL', `${path}: "${word}" is not one of ${actions.join(', ')}`);
      }
      await run(word as A);
    },
  };
}

/** The current rendering of one status field, then every change of it. */
function watchUnitField(
  backend: TreeBackend,
  unit: string,
  render: (s: UnitStatus) => string,
  onContent: (content: string) => void,
  onError: (e: unknown) => void,
): () => void {
  let last: string | null = null;
  let closed = false;
  const emit = (s: UnitStatus): void => {
    const content = `${render(s)}\n`;
    if (closed || content === last) return;
    last = content;
    onContent(content);
  };
  const stop = backend.watchUnits((s) => {
    if (s.name === unit) emit(s);
  });
  backend.getUnit(unit).then(
    (s) => {
      if (last === null) emit(s);
    },
    (e: unknown) => {
      if (!closed) onError(e);
    },
  );
  return () => {
    closed = true;
    stop();
  };
}

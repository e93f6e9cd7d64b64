import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The reaper script. It reads `+ PGID` / `- PGID` lines from its stdin (a
 * pipe whose only writer is the supervisor). End of file means the supervisor
 * is gone — however it died, even by SIGKILL — and every group still listed is
 * killed with SIGKILL. It ignores the terminal's INT/TERM/HUP so a Ctrl-C to
 * the supervisor's process group cannot take it out before the supervisor has
 * finished its graceful stop.
 */
const REAPER_SCRIPT = `
trap '' INT TERM HUP PIPE
declare -A groups=()
while read -r op id; do
  case "$id" in ''|*[!0-9]*) continue ;; esac
  case "$op" in
    +) groups[$id]=1 ;;
    -) unset "groups[$id]" ;;
  esac
done
for id in "\${!groups[@]}"; do kill -KILL -- "-$id" 2>/dev/null; done
`;

/**
 * A tiny bash process, in its own session, that outlives the supervisor just
 * long enough to SIGKILL every unit process group the supervisor still had.
 * Together with `setpriv --pdeathsig SIGKILL` on each unit's main process it
 * makes sure no unit (or unit child) survives a killed supervisor.
 * See docs/lifecycle.md "No orphans".
 */
export class Reaper {
  private child: ChildProcess | null = null;
  private readonly groups = new Set<number>();
  private closing = false;

  constructor(private readonly onProblem: (message: string) => void = () => {}) {}

  /** Start the reaper process (idempotent). */
  start(): void {
    if (this.child || this.closing) return;
    const child = spawn('bash', ['-c', REAPER_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', (e) => this.onProblem(`the orphan reaper cannot run: ${e.message}`));
    child.stdin?.on('error', () => {});
    child.once('exit', () => {
      if (this.child === child) this.child = null;
      if (!this.closing) {
        this.onProblem('the orphan reaper exited; starting a new one');
        this.start();
      }
    });
    // The supervisor must be able to exit while the reaper waits for EOF.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.child = child;
    for (const pgid of this.groups) this.send(`+ ${pgid}`);
  }

  /** Pid of the reaper process, if running. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Kill group `pgid` if the supervisor dies. */
  track(pgid: number): void {
    this.groups.add(pgid);
    this.send(`+ ${pgid}`);
  }

  /** Group `pgid` is gone. */
  untrack(pgid: number): void {
    if (this.groups.delete(pgid)) this.send(`- ${pgid}`);
  }

  /** End the reaper (after every unit stopped): it kills what is still tracked and exits. */
  close(): void {
    this.closing = true;
    this.child?.stdin?.end();
    this.child = null;
  }

  private send(line: string): void {
    const stdin = this.child?.stdin;
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  }
}

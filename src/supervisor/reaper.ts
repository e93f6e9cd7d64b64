import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The reaper script. It reads `+ PGID` / `- PGID` lines from its stdin (a
 * pipe whose only writer is the supervisor). End of file means the supervisor
 * is gone — however it died, even by SIGKILL — and every group still listed is
 * killed with SIGKILL, as is every process of the unit cgroups listed with
 * `C DIR` (resource limits): `cgroup.kill` on cgroup v2, each pid of
 * `cgroup.procs` on v1. That also catches unit children that left the group. It ignores the terminal's INT/TERM/HUP so a Ctrl-C to
 * the supervisor's process group cannot take it out before the supervisor has
 * finished its graceful stop.
 */
const REAPER_SCRIPT = `
trap '' INT TERM HUP PIPE
declare -A groups=() cgroups=()
while read -r op arg; do
  case "$op" in
    +) [[ $arg =~ ^[0-9]+$ ]] && groups[$arg]=1 ;;
    -) [[ $arg =~ ^[0-9]+$ ]] && unset "groups[$arg]" ;;
    C) [[ $arg == /* && $arg != *]* ]] && cgroups[$arg]=1 ;;
    c) [[ $arg == /* && $arg != *]* ]] && unset "cgroups[$arg]" ;;
  esac
done
for id in "\${!groups[@]}"; do kill -KILL -- "-$id" 2>/dev/null; done
for dir in "\${!cgroups[@]}"; do
  if [ -e "$dir/cgroup.kill" ]; then echo 1 > "$dir/cgroup.kill"
  elif [ -r "$dir/cgroup.procs" ]; then while read -r pid; do kill -KILL "$pid"; done < "$dir/cgroup.procs"
  fi
done 2>/dev/null
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
  private readonly cgroups = new Set<string>();
  private closing = false;

  constructor(private readonly onProblem: (message: string) => void = () => {}) {}

  /** Start the reaper process (idempotent). */
  start(): void {
    if (this.child || this.closing) return;
    // No start-up files: BASH_ENV (or ENV) could make a non-interactive bash run arbitrary
    // commands that would outlive the supervisor.
    const env = { ...process.env };
    delete env.BASH_ENV;
    delete env.ENV;
    const child = spawn('bash', ['--norc', '--noprofile', '-c', REAPER_SCRIPT], { detached: true, env, stdio: ['pipe', 'ignore', 'ignore'] });
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
    for (const dir of this.cgroups) this.send(`C ${dir}`);
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

  /** Kill every process of cgroup directory `dir` if the supervisor dies. */
  trackCgroup(dir: string): void {
    if (!dir.startsWith('/') || dir.includes('\n')) return;
    this.cgroups.add(dir);
    this.send(`C ${dir}`);
  }

  /** The cgroup `dir` is released. */
  untrackCgroup(dir: string): void {
    if (this.cgroups.delete(dir)) this.send(`c ${dir}`);
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

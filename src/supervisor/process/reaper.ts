import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The reaper script (POSIX sh). It reads `+ PGID` / `- PGID` lines and
 * `P DIR` lines from its stdin (a pipe whose only writer is the supervisor).
 * `P DIR` names a directory below which the supervisor's unit cgroups live
 * (`…/ensemble/<instance>`, one per hierarchy): it is sent before the first
 * unit cgroup is created there. End of file means the supervisor is gone —
 * however it died, even by SIGKILL — and the reaper SIGKILLs every process of
 * every cgroup below those directories (`cgroup.kill` on v2, each pid of
 * `cgroup.procs` on v1, repeated until empty so a forking process cannot slip
 * through), then every group still listed, then removes the emptied cgroups.
 * The cgroups catch what a group misses: processes that started a new session
 * or double-forked, and a unit spawned a moment before the supervisor died.
 * It ignores the terminal's INT/TERM/HUP so a Ctrl-C to the supervisor's
 * process group cannot take it out before the supervisor has finished its
 * graceful stop.
 */
const REAPER_SCRIPT = `
trap '' INT TERM HUP PIPE
groups=' '
parents=''
nl='
'
while IFS=' ' read -r op arg; do
  case "$op" in
    +) case "$arg" in ''|*[!0-9]*) ;; *) groups="$groups$arg " ;; esac ;;
    -) case "$groups" in *" $arg "*) groups="\${groups%%" $arg "*} \${groups#*" $arg "}" ;; esac ;;
    P) case "$arg" in /*) parents="$parents$arg$nl" ;; esac ;;
  esac
done
kill_cgroup() {
  if [ -e "$1/cgroup.kill" ]; then echo 1 > "$1/cgroup.kill"; fi
  while read -r pid; do kill -KILL "$pid"; done < "$1/cgroup.procs"
}
each_cgroup() {
  printf '%s' "$parents" | while IFS= read -r parent; do
    for dir in "$parent"/*/; do [ -e "$dir/cgroup.procs" ] && "$1" "\${dir%/}"; done
  done
}
empty_cgroup() {
  i=0
  while [ $i -lt 200 ] && read -r pid < "$1/cgroup.procs"; do
    kill_cgroup "$1"
    i=$((i+1))
    [ $i -gt 20 ] && { sleep 0.05 || sleep 1; }
  done
  rmdir "$1" || { sleep 0.1 || sleep 1; rmdir "$1"; }
}
each_cgroup kill_cgroup 2>/dev/null
for id in $groups; do kill -KILL -- "-$id"; done 2>/dev/null
each_cgroup empty_cgroup 2>/dev/null
printf '%s' "$parents" | while IFS= read -r parent; do rmdir "$parent" "\${parent%/*}"; done 2>/dev/null
`;

/**
 * A tiny `/bin/sh` process (about 1 MB, against 40 MB for a Node process), in
 * its own session, started before the first unit, that outlives the
 * supervisor just long enough to SIGKILL every unit cgroup and process group
 * the supervisor still had. Together with `setpriv --pdeathsig SIGKILL` on each
 * unit's main process it makes sure no unit (or unit child) survives a killed
 * supervisor.
 * See docs/lifecycle.md "No orphans".
 */
export class Reaper {
  private child: ChildProcess | null = null;
  private readonly groups = new Set<number>();
  private readonly parents = new Set<string>();
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
    const child = spawn('/bin/sh', ['-c', REAPER_SCRIPT, 'ensemble-reaper'], { detached: true, env, stdio: ['pipe', 'ignore', 'ignore'] });
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
    for (const dir of this.parents) this.send(`P ${dir}`);
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

  /**
   * Kill every process of every cgroup below `dir` if the supervisor dies.
   * Call it before a unit cgroup is created there: the line is written to the
   * pipe synchronously (it has room), so the reaper knows it even if the
   * supervisor dies right after.
   */
  trackCgroupParent(dir: string): void {
    if (!dir.startsWith('/') || dir.includes('\n') || this.parents.has(dir)) return;
    this.parents.add(dir);
    this.send(`P ${dir}`);
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

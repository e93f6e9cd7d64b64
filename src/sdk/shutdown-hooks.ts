import { currentHostedUnit } from './hosted-unit.js';

/** A function run when the unit is asked to stop. */
export type ShutdownHook = () => void | Promise<void>;

/**
 * Runs hooks in reverse order of registration (last added, first run) when
 * the process gets SIGTERM or SIGINT, or when {@link run} is called, then
 * exits. A hook that throws is reported on stderr and makes the exit code 1.
 * Inside a host (see hosted-unit.ts) the host's `exit` is called instead of
 * `process.exit`, so one hosted unit's shutdown does not cut its siblings'.
 */
export class ShutdownHooks {
  private readonly exit: (code: number) => void;
  private readonly hooks: ShutdownHook[] = [];
  private installed = false;
  private running: Promise<never> | null = null;

  constructor() {
    const hosted = currentHostedUnit();
    this.exit = hosted ? (code) => hosted.exit(code) : (code) => process.exit(code);
  }

  add(hook: ShutdownHook): void {
    this.hooks.push(hook);
    this.install();
  }

  /** Handle SIGTERM/SIGINT from now on (also without hooks: a clean exit instead of Node's default). */
  install(): void {
    if (this.installed) return;
    this.installed = true;
    const onSignal = (signal: NodeJS.Signals) => void this.run(0, signal);
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  /** Run every hook once and exit with `code` (1 when a hook failed). */
  run(code: number, reason: string): Promise<never> {
    this.running ??= (async () => {
      let exitCode = code;
      for (const hook of [...this.hooks].reverse()) {
        try {
          await hook();
        } catch (e) {
          exitCode = 1;
          process.stderr.write(`ensemble sdk: shutdown hook failed (${reason}): ${e instanceof Error ? e.message : String(e)}\n`);
        }
      }
      this.exit(exitCode);
      // A host keeps the process running: this unit's shutdown never settles.
      return new Promise<never>(() => undefined);
    })();
    return this.running;
  }
}

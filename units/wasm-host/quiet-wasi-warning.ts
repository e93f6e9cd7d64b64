/**
 * Node prints "ExperimentalWarning: WASI is an experimental feature" on the
 * first use of node:wasi. The wasm host is a deliberate user of it, so this
 * one warning is dropped from the unit's log; every other warning passes.
 * Call before node:wasi is loaded.
 */
export function quietWasiWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if ((type === 'ExperimentalWarning' || (warning as Error).name === 'ExperimentalWarning') && /WASI/.test(text)) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

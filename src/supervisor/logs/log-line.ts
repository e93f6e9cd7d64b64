/** One captured log line of a unit (or of the supervisor about a unit). */
export interface LogLine {
  readonly unit: string;
  readonly stream: 'stdout' | 'stderr' | 'supervisor';
  readonly line: string;
  /** Epoch milliseconds. */
  readonly time: number;
}

/** A condition that does not parse or does not evaluate to a boolean; `offset` is within the condition text. */
export class ConditionError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'ConditionError';
    this.offset = offset;
  }
}

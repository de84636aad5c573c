/** A condition that is not written in the condition language, with where the problem is. */
export class ConditionSyntaxError extends Error {
  /** 1-based, as editors count. */
  readonly column: number;

  constructor(
    /** What is wrong, without the position. */
    readonly reason: string,
    /** 0-based index into the condition where the problem is (the condition's length when it ends too early). */
    readonly index: number,
    /** The condition as written. */
    readonly condition: string,
  ) {
    super(`${reason} at column ${index + 1}`);
    this.name = 'ConditionSyntaxError';
    this.column = index + 1;
  }
}

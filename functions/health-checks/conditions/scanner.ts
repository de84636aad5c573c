import { ConditionSyntaxError } from './errors.ts';

/** Spaces and tabs: what may separate an operator from its operands. */
export function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

/** A cursor over a condition that fails with the position it is at. */
export class Scanner {
  index = 0;

  constructor(readonly source: string) {}

  get atEnd(): boolean {
    return this.index >= this.source.length;
  }

  peek(offset = 0): string {
    return this.source[this.index + offset] ?? '';
  }

  /** The rest of the condition from the cursor. */
  rest(): string {
    return this.source.slice(this.index);
  }

  startsWith(text: string): boolean {
    return this.source.startsWith(text, this.index);
  }

  /** Skips spaces and tabs; returns how many. */
  skipSpaces(): number {
    const start = this.index;
    while (isSpace(this.source[this.index])) this.index++;
    return this.index - start;
  }

  /** Advances while `test` holds for the next character; returns the text passed over. */
  takeWhile(test: (char: string) => boolean): string {
    const start = this.index;
    while (this.index < this.source.length && test(this.source[this.index]!)) this.index++;
    return this.source.slice(start, this.index);
  }

  /** Index just past the last character that is not a space or tab. */
  trimmedEnd(): number {
    let end = this.source.length;
    while (end > 0 && isSpace(this.source[end - 1])) end--;
    return end;
  }

  fail(reason: string, at: number = this.index): never {
    throw new ConditionSyntaxError(reason, Math.max(0, Math.min(at, this.source.length)), this.source);
  }
}

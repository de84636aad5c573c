// Error classes of the OpenAPI contract engine: every refusal carries what a user needs to fix the input.

/** One problem in a document, located by a JSON pointer into the document as sent ('' is the whole document). */
export interface DocumentProblem {
  pointer: string;
  message: string;
}

/** A document that cannot be loaded or diffed; `errors` lists each problem with its location. */
export class OpenApiDocumentError extends Error {
  override readonly name = 'OpenApiDocumentError';
  readonly errors: DocumentProblem[];

  constructor(errors: DocumentProblem[]) {
    const first = errors[0];
    const where = first && first.pointer !== '' ? ` at ${first.pointer}` : '';
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
    super(`${first?.message ?? 'invalid OpenAPI document'}${where}${more}`);
    this.errors = errors;
  }
}

/** Wrong arguments to the diff or changelog functions (not a problem of a document). */
export class OpenApiDiffError extends Error {
  override readonly name = 'OpenApiDiffError';
}

/** A version string that is not MAJOR.MINOR.PATCH[-pre][+build]. */
export class SemverError extends Error {
  override readonly name = 'SemverError';
}

import { ValidationError } from '#kernel/errors';
import { OpenApiDocumentError } from './diff/errors.ts';
import type { LoadedOpenApiDocument } from './diff/load-core.ts';

/** Loads an uploaded document, turning every problem into a 400 that points into the body. */
export async function loadOrRefuse(load: () => Promise<LoadedOpenApiDocument>, at = '/body'): Promise<LoadedOpenApiDocument> {
  try {
    return await load();
  } catch (error) {
    if (!(error instanceof OpenApiDocumentError)) throw error;
    const errors = error.errors.map((problem) => ({ pointer: `${at}${problem.pointer}`, message: problem.message }));
    throw new ValidationError(`The OpenAPI document is not valid: ${error.message}.`, errors);
  }
}

import type { OpenApiPointer } from './contracts.store.ts';
import { documentStore } from './document-store.ts';

/**
 * The bytes of stored OpenAPI documents. A document is validated once, on upload
 * (`loadOpenApiDocument`); what is read back is parsed only, so the functions that diff stored
 * documents (the release gate in the versions function) carry no validator.
 */

export function documentKey(service: string, digest: string, mediaType: OpenApiPointer['mediaType']): string {
  return `openapi/${service}/${digest.replace(/^sha256:/, '')}.${mediaType === 'application/yaml' ? 'yaml' : 'json'}`;
}

export async function readDocumentBytes(pointer: Pick<OpenApiPointer, 'key' | 'service' | 'version'>): Promise<Uint8Array> {
  const bytes = await documentStore().get(pointer.key);
  // The pointer is written only after the bytes are stored; bytes missing means the store lost them.
  if (!bytes)
    throw new Error(`the OpenAPI document of ${pointer.service}@${pointer.version} is missing from the document store (${pointer.key})`);
  return bytes;
}

/**
 * A stored document as an object, for the diff (which resolves its internal $refs itself). Every
 * document is also stored as JSON (a YAML upload gets a JSON copy beside it), so what diffs
 * documents reads JSON only and bundles no YAML parser (the release gate in the versions function).
 */
export async function readDocument(
  pointer: Pick<OpenApiPointer, 'key' | 'service' | 'version' | 'digest'>,
): Promise<Record<string, unknown>> {
  const key = documentKey(pointer.service, pointer.digest, 'application/json');
  const text = Buffer.from(await readDocumentBytes({ ...pointer, key })).toString('utf8');
  return JSON.parse(text) as Record<string, unknown>;
}

/** Reports frozen at release, beside the documents. */
export function reportKey(service: string, version: string): string {
  return `reports/${service}/${version.replace(/[^0-9A-Za-z.-]/g, '_')}.json`;
}

/** How a stored document's metadata is shown. */
export function documentInfo(pointer: OpenApiPointer, frozen: boolean) {
  return {
    service: pointer.service,
    version: pointer.version,
    digest: pointer.digest,
    mediaType: pointer.mediaType,
    size: pointer.size,
    openapi: pointer.openapi,
    title: pointer.title,
    operationCount: pointer.operationCount,
    uploadedAt: pointer.uploadedAt,
    uploadedBy: pointer.uploadedBy,
    frozen,
  };
}

import { ulid } from 'ulid';
import { ConflictError, NotFoundError, PayloadTooLargeError, PreconditionFailedError } from '#kernel/errors';
import { type CommandContext, headerMatches } from '#kernel/command-context';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { getVersion } from '#services/public';
import {
  getPointer,
  getUpload,
  headItem,
  type OpenApiPointer,
  type OpenApiUpload,
  pointerItem,
  putUpload,
  readHead,
} from './contracts.store.ts';
import { loadOpenApiDocument, type OpenApiMediaType } from './diff/load.ts';
import { loadOrRefuse } from './document-problems.ts';
import { documentStore, UPLOADS_PREFIX } from './document-store.ts';
import { documentKey } from './documents.ts';
import { requireVersion } from './version-refs.ts';

function countOperations(raw: Record<string, unknown>): number {
  const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  let count = 0;
  for (const item of Object.values((raw.paths as Record<string, Record<string, unknown>> | undefined) ?? {})) {
    if (item && typeof item === 'object') count += Object.keys(item).filter((key) => methods.has(key)).length;
  }
  return count;
}

/**
 * Stores a draft version's OpenAPI document (PUT .../openapi). Only a draft's document changes: a
 * released version's contract is the one its release judged (frozen on the version, §4 of issue 11).
 * The bytes go to the document store first, under a key named by their digest; the pointer is then
 * one conditional event, so concurrent uploads serialise and `If-Match` (the digest) is honoured.
 */
export async function uploadOpenApi(
  service: string,
  rawVersion: string,
  bytes: Uint8Array,
  mediaType: OpenApiMediaType,
  context: CommandContext,
): Promise<{ pointer: OpenApiPointer; created: boolean }> {
  const { version, precedence } = await requireVersion(service, rawVersion);
  if (version.status !== 'draft') {
    throw new ConflictError(`Version ${version.version} is ${version.status}; its OpenAPI document was frozen when it was released.`, {
      currentStatus: version.status,
    });
  }
  const loaded = await loadOrRefuse(() => loadOpenApiDocument(bytes, mediaType));
  const key = documentKey(service, loaded.digest, mediaType);
  await documentStore().put(key, bytes, mediaType);
  if (mediaType === 'application/yaml') {
    // The JSON copy the diffs read (documents.ts: readDocument).
    await documentStore().put(
      documentKey(service, loaded.digest, 'application/json'),
      Buffer.from(JSON.stringify(loaded.raw)),
      'application/json',
    );
  }
  const info = loaded.raw.info as { title?: unknown } | undefined;
  const now = new Date().toISOString();
  const pointer: OpenApiPointer = {
    service,
    version: version.version,
    digest: loaded.digest,
    key,
    mediaType,
    size: bytes.byteLength,
    openapi: String(loaded.raw.openapi),
    title: typeof info?.title === 'string' ? info.title.slice(0, 500) : null,
    operationCount: countOperations(loaded.raw),
    uploadedAt: now,
    uploadedBy: context.actor.name,
  };
  const result = await executeCommand<{ pointer: OpenApiPointer; created: boolean }>(keys.apiContractsAggregate(service), async () => {
    const [{ head, seq }, current] = await Promise.all([readHead(service), getPointer(service, precedence)]);
    checkDigestMatch(context.ifMatch, current, `The OpenAPI document of ${version.version}`);
    // The same document (in either spelling) again changes nothing: its ETag, the digest, keeps naming the bytes first stored.
    if (current && current.digest === pointer.digest) {
      return { unchanged: { pointer: current, created: false } };
    }
    return {
      expectedSeq: seq,
      event: {
        type: 'apicontract.uploaded',
        actor: context.actor,
        requestId: context.requestId,
        service,
        subject: `version/${service}@${version.version}/openapi`,
        changes: {
          before: current ? { digest: current.digest, size: current.size } : null,
          after: { digest: pointer.digest, size: pointer.size, mediaType, openapi: pointer.openapi },
        },
        effects: [pointerItem(pointer, precedence), headItem(head)],
      },
      result: () => ({ pointer, created: current === undefined }),
    };
  });
  // A release that committed while this upload was on its way judged the document before it.
  const after = await getVersion(service, precedence);
  if (after && after.status !== 'draft') {
    throw new ConflictError(
      `Version ${after.version} was released while the document was uploaded; its contract is the one the release judged.`,
      {
        currentStatus: after.status,
      },
    );
  }
  return result;
}

/** If-Match on a document compares its digest (the ETag); `*` asks that one exists. */
function checkDigestMatch(ifMatch: string | undefined, current: OpenApiPointer | undefined, what: string): void {
  if (ifMatch === undefined) return;
  const etag = current ? `"${current.digest}"` : undefined;
  if (etag && headerMatches(ifMatch, etag)) return;
  throw new PreconditionFailedError(
    current
      ? `${what} has changed since you read it (its ETag is now ${etag}); read it again and retry.`
      : `${what} does not exist yet; send the first one without If-Match.`,
    { currentEtag: etag ?? null },
  );
}

/** How long a direct upload's URL takes the bytes. */
export const UPLOAD_URL_SECONDS = 300;
const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** Refuses a version that is not a draft, as an upload of its document would be. */
function requireDraft(version: { version: string; status: string }): void {
  if (version.status !== 'draft') {
    throw new ConflictError(`Version ${version.version} is ${version.status}; its OpenAPI document was frozen when it was released.`, {
      currentStatus: version.status,
    });
  }
}

/**
 * POST .../openapi/uploads (issue 11 §1): a URL to PUT a document of up to 10 MB to directly (S3
 * on AWS: a Lambda request carries at most 6 MB), for exactly `size` bytes of `mediaType`, valid
 * 5 minutes, under the uploads prefix; the upload is remembered (a day) for its completion.
 */
export async function createUpload(
  service: string,
  rawVersion: string,
  input: { mediaType: OpenApiMediaType; size: number },
  context: CommandContext,
): Promise<{ upload: OpenApiUpload; url: string }> {
  const { version } = await requireVersion(service, rawVersion);
  requireDraft(version);
  const id = ulid();
  const key = `${UPLOADS_PREFIX}${service}/${id}.${input.mediaType === 'application/yaml' ? 'yaml' : 'json'}`;
  const now = Date.now();
  const url = await documentStore().presignPut(key, {
    contentType: input.mediaType,
    size: input.size,
    expiresInSeconds: UPLOAD_URL_SECONDS,
  });
  const upload: OpenApiUpload = {
    service,
    version: version.version,
    id,
    key,
    mediaType: input.mediaType,
    size: input.size,
    createdAt: new Date(now).toISOString(),
    createdBy: context.actor.name,
    urlExpiresAt: new Date(now + UPLOAD_URL_SECONDS * 1000).toISOString(),
  };
  await putUpload(upload);
  return { upload, url };
}

/**
 * POST .../openapi/uploads/{id}/complete: the uploaded bytes, read from the store, validated and
 * stored as the version's document exactly as PUT .../openapi stores a body.
 */
export async function completeUpload(
  service: string,
  rawVersion: string,
  id: string,
  context: CommandContext,
): Promise<{ pointer: OpenApiPointer; created: boolean }> {
  const { version } = await requireVersion(service, rawVersion);
  const upload = await getUpload(service, id);
  if (!upload || upload.version !== version.version || upload.keptUntil * 1000 < Date.now()) {
    throw new NotFoundError(`Version ${version.version} of ${service} has no upload ${id} (uploads are kept a day).`);
  }
  requireDraft(version);
  const bytes = await documentStore().get(upload.key);
  if (!bytes) {
    throw new ConflictError(
      `Nothing was uploaded for ${id} yet: PUT the document to its uploadUrl (before ${upload.urlExpiresAt}) first.`,
      {
        urlExpiresAt: upload.urlExpiresAt,
      },
    );
  }
  // The URL was signed for this length; a store that did not hold to it is not trusted further.
  if (bytes.byteLength > MAX_DOCUMENT_BYTES) {
    throw new PayloadTooLargeError(`The uploaded document is ${bytes.byteLength} bytes; the limit is ${MAX_DOCUMENT_BYTES} bytes (10 MB).`);
  }
  return uploadOpenApi(service, version.version, bytes, upload.mediaType, context);
}

import { ConflictError, PreconditionFailedError } from '#kernel/errors';
import { type CommandContext, headerMatches } from '#kernel/command-context';
import { executeCommand } from '#kernel/store/event-log';
import { keys } from '#kernel/store/keys';
import { getVersion } from '#services/public';
import { getPointer, headItem, type OpenApiPointer, pointerItem, readHead } from './contracts.store.ts';
import { loadOpenApiDocument, type OpenApiMediaType } from './diff/load.ts';
import { loadOrRefuse } from './document-problems.ts';
import { documentStore } from './document-store.ts';
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

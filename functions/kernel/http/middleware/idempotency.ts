import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { BadRequestError, ConflictError, StewardError } from '../../errors.ts';
import { pause } from '../../retry.ts';
import {
  claimIdempotencyRecord,
  completeIdempotencyRecord,
  type IdempotencyRecord,
  idempotencyRecordKey,
  readIdempotencyRecord,
  releaseIdempotencyRecord,
  type SealedResponse,
} from '../../store/idempotency.ts';
import { requestState } from '../request-state.ts';

/**
 * `Idempotency-Key` on every POST (draft-ietf-httpapi-idempotency-key-header): the first request
 * with a key claims it (one conditional write, so concurrent duplicates run once) and its 2xx
 * response is kept for 24 hours; a retry with the same key and the same request gets that
 * response again (`Idempotent-Replayed: true`) instead of a second effect. The same key with
 * another request (route, parameters or body) is a 422; while the first is still being answered,
 * a duplicate waits a moment for its response, then gets 409. A refused request (4xx) gives the
 * key back; after a server failure (5xx) whether it took effect is unknown, so the key answers
 * 409 saying so until it expires. Keys are per API key: two callers never share one.
 *
 * A kept response may hold a secret shown once (a new API key, a webhook's signing secret): it
 * is sealed (AES-256-GCM) with a key derived from the caller's own API key secret, which the
 * table never holds, so only the same caller can read it back.
 *
 * Operations that handle the header themselves (they list it in `requestHeaders`: starting a
 * deployment and promote, whose record is written with the deployment, atomically, and whose
 * retry also restarts a start that was lost) are left to do so.
 */

const MAX_KEY_LENGTH = 255;
/** How long a duplicate waits for the first request's response before answering 409. */
const WAIT_FOR_FIRST_MS = 3_000;
/** A kept response must fit an item with room to spare. */
const MAX_SEALED_BYTES = 300_000;
/** A first request older than this is not being answered any more (API routes time out within 30 s). */
const ABANDONED_AFTER_MS = 60_000;

interface Claimed {
  key: { PK: string; SK: string };
  token: string;
  cipherKey: Buffer;
}

const claims = new WeakMap<object, Claimed>();

export function idempotency(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    name: 'idempotency',
    before: async function idempotencyBefore(request) {
      const { event } = request;
      const header = event.headers['idempotency-key'];
      const state = requestState(request);
      const { operation, principal } = state;
      if (header === undefined || operation.method !== 'POST' || operation.requestHeaders?.includes('Idempotency-Key') || !principal) {
        return undefined;
      }
      const secret = bearerSecret(event.headers.authorization);
      if (!secret) return undefined;
      if (header.length === 0 || header.length > MAX_KEY_LENGTH) {
        throw new BadRequestError(`An Idempotency-Key is 1 to ${MAX_KEY_LENGTH} characters; this one has ${header.length}.`);
      }
      const keyHash = sha256(header);
      const key = idempotencyRecordKey(principal.keyId, keyHash);
      const fingerprint = sha256(`${operation.operationId}\n${canonicalJson(state.input ?? null)}`);
      const token = ulid();
      const deadline = Date.now() + WAIT_FOR_FIRST_MS;
      for (;;) {
        const found = await claimIdempotencyRecord(key, { fingerprint, operationId: operation.operationId, token });
        if (found === true) {
          claims.set(event, { key, token, cipherKey: cipherKeyOf(secret, principal.keyId, keyHash) });
          return undefined;
        }
        const answer = await answerFrom(found, fingerprint, cipherKeyOf(secret, principal.keyId, keyHash), key, deadline);
        if (answer) return answer;
      }
    },
    after: async function idempotencyAfter(request) {
      const claimed = claims.get(request.event);
      if (!claimed) return;
      claims.delete(request.event);
      const response = request.response;
      const status = response?.statusCode ?? 500;
      if (status >= 200 && status < 300 && response) {
        const sealed = seal(claimed.cipherKey, JSON.stringify(response));
        await completeIdempotencyRecord(claimed.key, claimed.token, Buffer.byteLength(sealed.data) > MAX_SEALED_BYTES ? undefined : sealed);
      } else if (status < 500) {
        await releaseIdempotencyRecord(claimed.key, claimed.token);
      }
    },
    onError: async function idempotencyOnError(request) {
      const claimed = claims.get(request.event);
      if (!claimed) return;
      claims.delete(request.event);
      // Refused: nothing happened, the key may be used again. A server failure may have happened
      // after the change was made: the claim stays, and a retry learns that the outcome is unknown.
      if (request.error instanceof StewardError && request.error.status < 500) {
        await releaseIdempotencyRecord(claimed.key, claimed.token).catch(() => undefined);
      }
    },
  };
}

/**
 * What a request answers when the key is taken: the kept response, a 422 for another request,
 * a 409 when the first one's outcome is unknown; undefined to look again (the first is still
 * being answered, or gave the key back).
 */
async function answerFrom(
  found: IdempotencyRecord,
  fingerprint: string,
  cipherKey: Buffer,
  key: { PK: string; SK: string },
  deadline: number,
): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  if (found.fingerprint !== fingerprint) {
    throw new StewardError(
      422,
      'Idempotency key reused',
      `This Idempotency-Key was first used with another request (${found.operationId}, with other parameters or another body); use a new key for a new request.`,
    );
  }
  let record: IdempotencyRecord | undefined = found;
  while (record?.state === 'running') {
    if (Date.now() - Date.parse(record.claimedAt) > ABANDONED_AFTER_MS) {
      throw new ConflictError(
        `The first request with this Idempotency-Key (${record.claimedAt}) stopped before its outcome was recorded; it may have taken effect. Check, then use a new key.`,
      );
    }
    if (Date.now() > deadline) {
      throw new ConflictError('The first request with this Idempotency-Key is still being answered; retry in a moment.');
    }
    await pause(50);
    record = await readIdempotencyRecord(key);
  }
  if (!record) return undefined; // given back (the first was refused): this one runs
  if (!record.response) {
    throw new ConflictError('The request with this Idempotency-Key succeeded, but its response was too large to keep; use a new key.');
  }
  let response: APIGatewayProxyStructuredResultV2;
  try {
    response = JSON.parse(unseal(cipherKey, record.response)) as APIGatewayProxyStructuredResultV2;
  } catch {
    throw new ConflictError(
      'The request with this Idempotency-Key succeeded, but its response can no longer be read (the API key changed); use a new key.',
    );
  }
  return { ...response, headers: { ...response.headers, 'idempotent-replayed': 'true' } };
}

function bearerSecret(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted at every level: the same input, however its fields were ordered, hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, field]) => `${JSON.stringify(name)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function cipherKeyOf(secret: string, keyId: string, keyHash: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, keyId, `steward idempotency ${keyHash}`, 32));
}

function seal(cipherKey: Buffer, plain: string): SealedResponse {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', cipherKey, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function unseal(cipherKey: Buffer, sealed: SealedResponse): string {
  const decipher = createDecipheriv('aes-256-gcm', cipherKey, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
}

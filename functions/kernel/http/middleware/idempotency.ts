import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { BadRequestError, ConflictError, StewardError } from '../../errors.ts';
import { pause } from '../../retry.ts';
import {
  claimIdempotencyRecord,
  type IdempotencyRecord,
  idempotencyRecordKey,
  readIdempotencyRecord,
  type SealedResponse,
  settleIdempotencyRecord,
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
const conflict = (detail: string) => new ConflictError(`The first request with this Idempotency-Key ${detail}.`);

/**
 * Settles the request's claim, if it holds one: a 2xx response is kept; a refusal (4xx) gives
 * the key back; after a server failure (5xx), which may have come after the change was made, the
 * claim stays, and a retry learns that the outcome is unknown.
 */
async function settle(event: object, status: number, response?: APIGatewayProxyStructuredResultV2): Promise<void> {
  const claimed = claims.get(event);
  if (!claimed) return;
  claims.delete(event);
  if (status >= 200 && status < 300 && response) {
    const sealed = seal(claimed.cipherKey, JSON.stringify(response));
    await settleIdempotencyRecord(claimed.key, claimed.token, { done: sealed.length > MAX_SEALED_BYTES ? null : sealed });
  } else if (status < 500) {
    await settleIdempotencyRecord(claimed.key, claimed.token, 'release');
  }
}

export function idempotency(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    name: 'idempotency',
    before: async function idempotencyBefore(request) {
      const { event } = request;
      const header = event.headers['idempotency-key'];
      const state = requestState(request);
      const { operation, principal } = state;
      const secret = bearerSecret(event.headers.authorization);
      if (
        header === undefined ||
        operation.method !== 'POST' ||
        operation.requestHeaders?.includes('Idempotency-Key') ||
        !principal ||
        !secret
      ) {
        return undefined;
      }
      if (header.length === 0 || header.length > MAX_KEY_LENGTH)
        throw new BadRequestError(`An Idempotency-Key is 1 to ${MAX_KEY_LENGTH} characters.`);
      const keyHash = sha256(header);
      const key = idempotencyRecordKey(principal.keyId, keyHash);
      const cipherKey = cipherKeyOf(secret, principal.keyId, keyHash);
      const fingerprint = sha256(`${operation.operationId}\n${canonicalJson(state.input ?? null)}`);
      const token = ulid();
      const deadline = Date.now() + WAIT_FOR_FIRST_MS;
      for (;;) {
        let record: IdempotencyRecord | true | undefined = await claimIdempotencyRecord(key, {
          fingerprint,
          operationId: operation.operationId,
          token,
        });
        if (record === true) {
          claims.set(event, { key, token, cipherKey });
          return undefined;
        }
        if (record.fingerprint !== fingerprint) {
          throw new StewardError(
            422,
            'Idempotency key reused',
            `This Idempotency-Key was first used with another request (${record.operationId}); use a new key.`,
          );
        }
        while (record?.state === 'running') {
          if (Date.now() - Date.parse(record.claimedAt) > ABANDONED_AFTER_MS)
            throw conflict('failed and may have taken effect: check, then use a new key');
          if (Date.now() > deadline) throw conflict('is still being answered; retry in a moment');
          await pause(50);
          record = await readIdempotencyRecord(key);
        }
        if (!record) continue; // given back (the first was refused): this one runs
        if (!record.response) throw conflict('succeeded; its response was too large to keep');
        let response: APIGatewayProxyStructuredResultV2;
        try {
          response = JSON.parse(unseal(cipherKey, record.response));
        } catch {
          throw conflict('succeeded; its response can no longer be read');
        }
        return { ...response, headers: { ...response.headers, 'idempotent-replayed': 'true' } };
      }
    },
    after: (request) => settle(request.event, request.response?.statusCode ?? 500, request.response ?? undefined),
    onError: (request) => settle(request.event, request.error instanceof StewardError ? request.error.status : 500).catch(() => undefined),
  };
}

function bearerSecret(authorization: string | undefined): string | undefined {
  return authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() || undefined : undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted at every level: the same input, however its fields were ordered, hashes the same. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_name, field: unknown) =>
    field && typeof field === 'object' && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => (a < b ? -1 : 1)))
      : field,
  );
}

function cipherKeyOf(secret: string, keyId: string, keyHash: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, keyId, `steward idempotency ${keyHash}`, 32));
}

/** AES-256-GCM: the IV (12 bytes), the tag (16) and the ciphertext, in one base64 string. */
function seal(cipherKey: Buffer, plain: string): SealedResponse {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', cipherKey, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

function unseal(cipherKey: Buffer, sealed: SealedResponse): string {
  const bytes = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', cipherKey, bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}

import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionFailure, tableName } from './client.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './table-definition.ts';

/**
 * The records of POST requests sent with an Idempotency-Key (the idempotency middleware): one item
 * per calling key and Idempotency-Key, claimed by the first request with a conditional write (so
 * concurrent duplicates run once), then holding its first response, encrypted, for 24 hours.
 * Request data that is not a decision, so written directly, not as events (docs/architecture.md §3).
 */

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** The response, encrypted (base64). */
export type SealedResponse = string;

export interface IdempotencyRecord {
  /** `running` from the claim until the response is kept; `done` after. */
  state: 'running' | 'done';
  /** What the request was: its operation and its validated input, hashed. */
  fingerprint: string;
  operationId: string;
  /** The claimant's own token: only it completes or releases the claim. */
  token: string;
  claimedAt: string;
  /** The first response, sealed with a key only the caller's API key can derive; absent when too large to keep. */
  response?: SealedResponse;
}

type Key = { PK: string; SK: string };

export function idempotencyRecordKey(keyId: string, keyHash: string): Key {
  return keys.idempotentRequest(keyId, keyHash);
}

/**
 * Claims the record for this request, unless a live one exists: true when claimed, else the
 * record found (a record past its 24 hours counts as absent, as TTL would have deleted it).
 */
export async function claimIdempotencyRecord(
  key: Key,
  claim: Pick<IdempotencyRecord, 'fingerprint' | 'operationId' | 'token'>,
  now = new Date(),
): Promise<true | IdempotencyRecord> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...key,
          entity: 'idempotency',
          state: 'running',
          ...claim,
          claimedAt: now.toISOString(),
          [TTL_ATTRIBUTE]: nowSeconds + IDEMPOTENCY_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(PK) OR #expires < :now',
        ExpressionAttributeNames: { '#expires': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': nowSeconds },
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  // Undefined only if it expired and went in between: claim again.
  return (await readIdempotencyRecord(key)) ?? claimIdempotencyRecord(key, claim, now);
}

/** Reads the record again (while another request with the same key is being answered). */
export async function readIdempotencyRecord(key: Key): Promise<IdempotencyRecord | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item as IdempotencyRecord | undefined;
}

/**
 * Settles the claim, only the claimant's and only once: keeps the first response (`done`), or,
 * for a request that changed nothing, gives the key back (`release`) so a retry runs again.
 */
export async function settleIdempotencyRecord(
  key: Key,
  token: string,
  outcome: { done: SealedResponse | null } | 'release',
): Promise<void> {
  const guard = {
    TableName: tableName(),
    Key: key,
    ConditionExpression: '#token = :token AND #state = :running',
    ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
  };
  const values = { ':running': 'running', ':token': token };
  try {
    if (outcome === 'release') {
      await documentClient().send(new DeleteCommand({ ...guard, ExpressionAttributeValues: values }));
    } else {
      await documentClient().send(
        new UpdateCommand({
          ...guard,
          UpdateExpression: `SET #state = :done${outcome.done ? ', #response = :response' : ''}`,
          ExpressionAttributeNames: { ...guard.ExpressionAttributeNames, ...(outcome.done ? { '#response': 'response' } : {}) },
          ExpressionAttributeValues: { ...values, ':done': 'done', ...(outcome.done ? { ':response': outcome.done } : {}) },
        }),
      );
    }
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

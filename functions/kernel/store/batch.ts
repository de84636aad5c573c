import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { retrying, TRY_AGAIN, UNPROCESSED_ITEMS } from '../retry.ts';
import { documentClient, tableName } from './client.ts';

/**
 * DynamoDB's batch calls, whole: split into the sizes DynamoDB takes (100 keys a BatchGet, 25
 * writes a BatchWrite) and retry what it leaves unprocessed under the one retry policy; throw
 * when some are still unprocessed after the last try.
 */

export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };
export type Key = Record<string, unknown>;

const GET_SIZE = 100;
const WRITE_SIZE = 25;

/** Every item found under `keys`, consistently read, in no particular order; missing keys are absent. */
export async function batchGetAll(keys: readonly Key[]): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += GET_SIZE) {
    let pending: Key[] = keys.slice(i, i + GET_SIZE);
    await retrying(
      UNPROCESSED_ITEMS,
      async () => {
        const out = await documentClient().send(
          new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...(out.Responses?.[tableName()] ?? []));
        pending = (out.UnprocessedKeys?.[tableName()]?.Keys as Key[] | undefined) ?? [];
        return pending.length === 0 ? true : TRY_AGAIN;
      },
      () => new Error(`BatchGet left ${pending.length} keys unprocessed after ${UNPROCESSED_ITEMS.attempts} attempts`),
    );
  }
  return found;
}

/** Writes every request. */
export async function batchWriteAll(requests: readonly WriteRequest[]): Promise<void> {
  for (let i = 0; i < requests.length; i += WRITE_SIZE) {
    let pending: WriteRequest[] = requests.slice(i, i + WRITE_SIZE);
    await retrying(
      UNPROCESSED_ITEMS,
      async () => {
        const out = await documentClient().send(new BatchWriteCommand({ RequestItems: { [tableName()]: pending as never } }));
        pending = (out.UnprocessedItems?.[tableName()] ?? []) as WriteRequest[];
        return pending.length === 0 ? true : TRY_AGAIN;
      },
      () => new Error(`BatchWrite left ${pending.length} items unprocessed after ${UNPROCESSED_ITEMS.attempts} attempts`),
    );
  }
}

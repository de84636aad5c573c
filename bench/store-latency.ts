import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#kernel/store/client';
import { keys } from '#kernel/store/keys';
import { closedLoop, type LoopOptions, type LoopResult } from './stats.ts';

/**
 * Raw store reads, through the very DocumentClient the handlers use (the runtime configured it
 * in this process), with the same inputs as functions/services/versions.store.ts: the floor that an API
 * read of the same data stands on.
 */

/** GetItem of one version item, as `getVersion` reads it. */
export function storeGetVersionLatency(options: LoopOptions, service: string, precedence: string): Promise<LoopResult> {
  const client = documentClient();
  const input = { TableName: tableName(), Key: keys.version(service, precedence), ConsistentRead: true };
  return closedLoop(options, async () => {
    const { Item } = await client.send(new GetCommand(input));
    if (!Item) throw new Error(`No version item ${service} ${precedence} to read.`);
  });
}

/** Query of a page of versions, newest first, as `listVersions` reads it (one page of `limit`). */
export function storeQueryVersionsLatency(options: LoopOptions, service: string, limit: number): Promise<LoopResult> {
  const client = documentClient();
  const input = {
    TableName: tableName(),
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
    ExpressionAttributeValues: { ':pk': keys.serviceAggregate(service), ':prefix': keys.versionPrefix },
    ScanIndexForward: false,
    // queryPage asks for one more than the page, to know whether there is a next one.
    Limit: limit + 1,
  };
  return closedLoop(options, async () => {
    const { Items } = await client.send(new QueryCommand(input));
    if ((Items?.length ?? 0) < limit) throw new Error(`Expected ${limit} versions of ${service}, read ${Items?.length ?? 0}.`);
  });
}

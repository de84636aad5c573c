import { afterAll, beforeAll } from 'vitest';
import { ensureTable, startDynalite } from '../../local/dynamo.ts';
import { configureStore, documentClient } from '../../functions/kernel/store/client.ts';

export const TEST_TABLE = 'steward-test';

/**
 * Gives the test file its own in-memory dynalite with the real table (keys and indexes from the
 * same definition the stack deploys), and points the store at it. No DynamoDB mocks.
 */
export function useLocalStore(): { readonly endpoint: string } {
  let dynamo: Awaited<ReturnType<typeof startDynalite>> | undefined;
  const handle = {
    get endpoint(): string {
      if (!dynamo) throw new Error('the local store has not started yet');
      return dynamo.endpoint;
    },
  };
  beforeAll(async () => {
    dynamo = await startDynalite();
    await ensureTable(dynamo.endpoint, TEST_TABLE);
    configureStore({ tableName: TEST_TABLE, endpoint: dynamo.endpoint });
  });
  afterAll(async () => {
    if (!dynamo) return;
    // Drop the client's kept-alive sockets first, or the server waits for them to time out.
    documentClient().destroy();
    await dynamo.close();
  });
  return handle;
}

import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../../functions/kernel/store/client.ts';

/**
 * The committed event items (audit records, whole, as stored) of one type for one service,
 * oldest first. A Scan: for tests that look at what the table holds, never for the code under test.
 */
export async function eventItems(type: string, service: string): Promise<Array<Record<string, unknown>>> {
  const { Items = [] } = await documentClient().send(
    new ScanCommand({
      TableName: tableName(),
      FilterExpression: 'entity = :event AND #type = :type AND service = :service',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':event': 'event', ':type': type, ':service': service },
      ConsistentRead: true,
    }),
  );
  return Items.sort((a, b) => String(a.eventId).localeCompare(String(b.eventId)));
}

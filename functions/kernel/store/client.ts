import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * One DocumentClient per process, created on first use. On AWS it reads TABLE_NAME from the
 * function's environment; the local runtime points it at dynalite with `configureStore`.
 */

export interface StoreSettings {
  tableName: string;
  /** Set only by the local runtime and tests: dynalite's URL. */
  endpoint?: string;
  region?: string;
}

let settings: StoreSettings | undefined;
let client: DynamoDBDocumentClient | undefined;

export function configureStore(next: StoreSettings): void {
  settings = next;
  client?.destroy();
  client = undefined;
}

export function storeSettings(): StoreSettings {
  if (!settings) {
    const tableName = process.env.TABLE_NAME;
    if (!tableName) throw new Error('TABLE_NAME is not set');
    settings = { tableName, endpoint: process.env.DYNAMODB_ENDPOINT, region: process.env.AWS_REGION };
  }
  return settings;
}

export function tableName(): string {
  return storeSettings().tableName;
}

export function documentClient(): DynamoDBDocumentClient {
  if (!client) {
    const { endpoint, region } = storeSettings();
    const base = new DynamoDBClient({
      region: region ?? 'us-east-1',
      ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 3 } : {}),
    });
    client = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return client;
}

/** True when DynamoDB refused a write because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * One UpdateItem that applies only if `condition` holds: true when it applied, false when the
 * condition did not hold (someone else got there first), any other failure thrown.
 */
export async function updateIf(
  key: { PK: string; SK: string },
  update: { expression: string; condition: string; values: Record<string, unknown> },
): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: update.expression,
        ConditionExpression: update.condition,
        ExpressionAttributeValues: update.values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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

import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { keys } from '#kernel/store/keys';
import type { StewardFunction } from './constructs/steward-function.ts';
import { KEY_WRITE_ACTIONS, type StewardTable } from './constructs/steward-table.ts';

/**
 * Rate limits per principal (functions/kernel/rate-limit/): every API function takes tokens from
 * buckets in the table, so each may write bucket items (`RATE#…`) and, for read-only groups,
 * nothing else. `STEWARD_RATE_LIMITS` turns them on (or sets per-role limits as JSON).
 */
export function grantRateLimitBuckets(fn: StewardFunction, table: StewardTable, setting: string, options: { readOnly: boolean }): void {
  fn.addEnvironment('STEWARD_RATE_LIMITS', setting);
  // A read-only group now writes its buckets: like every other writer (but key management), it is
  // denied API key items, whatever else it may one day be granted.
  if (options.readOnly) table.denyKeyItemWrites(fn);
  fn.addPolicy('RateLimitBuckets', [
    new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [table.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${keys.rateBucketPrefix}*`] } },
    }),
    new PolicyStatement({
      actions: [...KEY_WRITE_ACTIONS],
      resources: [table.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(table).region}.amazonaws.com` } },
    }),
  ]);
}

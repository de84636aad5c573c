import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { keys } from '#kernel/store/keys';
import { INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '#kernel/store/table-definition';

/** Read-only or read-write access to the table's items. */
export type TableAccess = 'RO' | 'RW';

export interface TableAccessOptions {
  /**
   * May write API key items (`APIKEY#`, `KEYHASH#` partitions): key management only (the api-keys
   * function, the key reconciler, the bootstrap function). Every other writer is denied them.
   */
  writesKeyItems?: boolean;
}

/** The partition key patterns of API key items, as `dynamodb:LeadingKeys` values. */
export const KEY_ITEM_LEADING_KEYS = keys.keyPartitionPrefixes.map((prefix) => `${prefix}*`);

/**
 * Item-level actions only, by what the store sends (GetItem, Query, PutItem, UpdateItem):
 * no Scan (no request path scans), no table or stream management.
 */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;
/**
 * DynamoDB uses the table's key with the caller's permissions: Decrypt to read, also Encrypt and
 * GenerateDataKey to write; only through DynamoDB (kms:ViaService), since the same key encrypts
 * the secrets, which Secrets Manager uses it for under its own, narrower grants.
 */
export const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
export const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey'] as const;

export interface StewardTableProps {
  /** Customer-managed key the table is encrypted with. */
  encryptionKey: IKey;
  /** Refuses DeleteTable while on. */
  deletionProtection: boolean;
  /** Whether deleting the stack deletes the table. */
  removalPolicy: RemovalPolicy;
}

/**
 * The one table (docs/architecture.md §3), built from functions/kernel/store/table-definition.ts, the same
 * definition the local runtime creates its dynalite table from.
 */
export class StewardTable extends Construct {
  readonly table: Table;
  readonly encryptionKey: IKey;

  constructor(scope: Construct, id: string, props: StewardTableProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The notification publisher reads committed events from the stream (new images only).
      stream: StreamViewType.NEW_IMAGE,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    for (const index of INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: index.projection === 'ALL' ? ProjectionType.ALL : ProjectionType.KEYS_ONLY,
      });
    }
  }

  get tableName(): string {
    return this.table.tableName;
  }

  /**
   * Grants item access: reads on the table and on each index by name (rather than `index/*`, so
   * the policy names exactly what exists), writes on the table, and the key use that goes with them.
   */
  grantAccess(grantee: IGrantable, access: TableAccess, options: TableAccessOptions = {}): void {
    const principal = grantee.grantPrincipal;
    const indexArns = INDEXES.map((index) => `${this.table.tableArn}/index/${index.name}`);
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...TABLE_READ_ACTIONS], resources: [this.table.tableArn, ...indexArns] }),
    );
    if (access === 'RW') {
      principal.addToPrincipalPolicy(new PolicyStatement({ actions: [...TABLE_WRITE_ACTIONS], resources: [this.table.tableArn] }));
      if (!options.writesKeyItems) this.denyKeyItemWrites(grantee);
    }
    const keyActions = access === 'RW' ? [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] : [...KEY_READ_ACTIONS];
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: keyActions,
        resources: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  /**
   * Reads plus one narrow write: UpdateItem that may touch only the named attributes (and the
   * key), returning nothing. The notification publisher marks events published with it.
   */
  grantAttributeUpdate(grantee: IGrantable, attributes: string[]): void {
    this.grantAccess(grantee, 'RO');
    this.denyKeyItemWrites(grantee);
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': [PARTITION_KEY, SORT_KEY, ...attributes] },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
        },
      }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...KEY_WRITE_ACTIONS],
        resources: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  /**
   * An API key item written by any function could be an admin key: only key management may write
   * them. The deny matches a request if ANY of its partition keys is a key partition
   * (`ForAnyValue`): `ForAllValues` would let a BatchWriteItem through that mixes one key item with
   * any other item. Every item write names its partition key, so the condition key is always present.
   */
  denyKeyItemWrites(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: [...TABLE_WRITE_ACTIONS],
        resources: [this.table.tableArn],
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': KEY_ITEM_LEADING_KEYS } },
      }),
    );
  }
}

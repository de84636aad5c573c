/**
 * The single table's key schema and indexes. The CDK stack and the local runtime both build
 * the table from this one definition, so they cannot drift apart.
 */

export const PARTITION_KEY = 'PK';
export const SORT_KEY = 'SK';

export interface IndexDefinition {
  name: IndexName;
  partitionKey: string;
  sortKey: string;
  /** What the index copies: whole items where lists read them, keys only where a GetItem follows. */
  projection: 'ALL' | 'KEYS_ONLY';
}

/**
 * GSI1 lists things of one kind (services, API keys, the audit trail by time);
 * GSI2 is a service's timeline; GSI3 an actor's; GSI4 is sparse and holds only events whose
 * projections are not yet applied, so the reconciler finds them with a Query.
 */
export const INDEXES: IndexDefinition[] = [
  { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' },
  { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: 'ALL' },
  { name: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK', projection: 'ALL' },
  { name: 'GSI4', partitionKey: 'GSI4PK', sortKey: 'GSI4SK', projection: 'KEYS_ONLY' },
];

/** The attribute DynamoDB's TTL deletes items by (epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';

export type IndexName = 'GSI1' | 'GSI2' | 'GSI3' | 'GSI4';

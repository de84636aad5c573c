import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../errors.ts';
import { documentClient, tableName } from './client.ts';
import { INDEXES, type IndexName } from './table-definition.ts';

/** One page of a list: `nextCursor` is opaque to clients and null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageQuery {
  index?: IndexName;
  /** The partition to read: every list is a Query on one partition, never a Scan. */
  partition: string;
  /** Optional sort-key condition, written against `#sk` with values in `values`. */
  sortKeyCondition?: string;
  filter?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  limit: number;
  cursor?: string;
  newestFirst?: boolean;
  consistent?: boolean;
}

/**
 * Reads one page. With a filter DynamoDB may return fewer matches than asked for, so this keeps
 * reading until the page is full or the partition ends, and resumes exactly after the last item
 * it returned (that item's key is a valid ExclusiveStartKey).
 */
export async function queryPage(query: PageQuery): Promise<Page<Record<string, unknown>>> {
  const index = query.index ? INDEXES.find((candidate) => candidate.name === query.index) : undefined;
  const partitionAttr = index?.partitionKey ?? 'PK';
  const sortAttr = index?.sortKey ?? 'SK';
  const keyAttrs = index ? ['PK', 'SK', partitionAttr, sortAttr] : ['PK', 'SK'];

  let startKey = query.cursor ? decodeCursor(query.cursor, keyAttrs, partitionAttr, query.partition) : undefined;
  const items: Record<string, unknown>[] = [];
  for (let reads = 0; reads < 20; reads++) {
    const input: QueryCommandInput = {
      TableName: tableName(),
      IndexName: query.index,
      KeyConditionExpression: `#pk = :pk${query.sortKeyCondition ? ` AND ${query.sortKeyCondition}` : ''}`,
      FilterExpression: query.filter,
      ExpressionAttributeNames: { '#pk': partitionAttr, ...(query.sortKeyCondition ? { '#sk': sortAttr } : {}), ...query.names },
      ExpressionAttributeValues: { ':pk': query.partition, ...query.values },
      ScanIndexForward: !query.newestFirst,
      ConsistentRead: query.index ? undefined : query.consistent,
      ExclusiveStartKey: startKey,
      Limit: query.filter ? Math.max(query.limit * 2, 50) : query.limit + 1,
    };
    const page = await documentClient().send(new QueryCommand(input));
    for (const item of page.Items ?? []) {
      if (items.length === query.limit) {
        return { items, nextCursor: encodeCursor(pick(items[items.length - 1] as Record<string, unknown>, keyAttrs)) };
      }
      items.push(item);
    }
    startKey = page.LastEvaluatedKey;
    if (!startKey) return { items, nextCursor: null };
    if (items.length === query.limit) {
      return { items, nextCursor: encodeCursor(pick(items[items.length - 1] as Record<string, unknown>, keyAttrs)) };
    }
  }
  // A very sparse filter: hand back what was found and let the client continue.
  return { items, nextCursor: startKey ? encodeCursor(startKey) : null };
}

function pick(item: Record<string, unknown>, attrs: string[]): Record<string, unknown> {
  return Object.fromEntries(attrs.filter((attr) => item[attr] !== undefined).map((attr) => [attr, item[attr]]));
}

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor, refusing anything that is not a key into the partition being listed. */
function decodeCursor(cursor: string, keyAttrs: string[], partitionAttr: string, partition: string) {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const valid =
    typeof key === 'object' &&
    key !== null &&
    Object.keys(key).every((attr) => keyAttrs.includes(attr)) &&
    Object.values(key).every((value) => typeof value === 'string') &&
    (key as Record<string, unknown>)[partitionAttr] === partition &&
    keyAttrs.every((attr) => typeof (key as Record<string, unknown>)[attr] === 'string');
  if (!valid) throw new BadRequestError('The cursor is not one this list handed out; start again without it.', 'Invalid cursor');
  return key as Record<string, string>;
}

/**
 * A FilterExpression for list queries: each defined `equals` entry must match, and, when
 * `within` lists values (a key limited to some services), the attribute must be one of them —
 * an empty list matches nothing. Returns nothing to add when there is nothing to filter.
 */
export function listFilter(
  equals: Record<string, string | undefined>,
  within?: { attribute: string; values: string[] | null },
): Pick<PageQuery, 'filter' | 'names' | 'values'> {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [attribute, value] of Object.entries(equals)) {
    if (value === undefined) continue;
    clauses.push(`#${attribute} = :${attribute}`);
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
  }
  if (within && within.values !== null) {
    const placeholders = within.values.map((value, i) => {
      values[`:in${i}`] = value;
      return `:in${i}`;
    });
    names[`#${within.attribute}`] = within.attribute;
    clauses.push(
      placeholders.length > 0 ? `#${within.attribute} IN (${placeholders.join(', ')})` : `attribute_not_exists(#${within.attribute})`,
    );
  }
  return clauses.length > 0 ? { filter: clauses.join(' AND '), names, values } : {};
}

/**
 * Items of a sparse due partition on GSI2 (sort key `<ISO time>#<id>`) due at or before `now`,
 * soonest first, at most `limit`: what a scheduled job reads instead of a Scan. Each comes with
 * the index key it was listed under, for the conditional write that claims it.
 */
export async function queryDueItems(
  partition: string,
  now: Date,
  limit: number,
): Promise<Array<{ item: Record<string, unknown>; dueKey: string }>> {
  const found: Array<{ item: Record<string, unknown>; dueKey: string }> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :due AND GSI2SK <= :now',
        ExpressionAttributeValues: { ':due': partition, ':now': `${now.toISOString()}#~` },
        Limit: limit - found.length,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) found.push({ item, dueKey: String(item.GSI2SK) });
    startKey = page.LastEvaluatedKey;
  } while (startKey && found.length < limit);
  return found;
}

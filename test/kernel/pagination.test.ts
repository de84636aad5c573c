import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError } from '../../functions/kernel/errors.ts';
import { documentClient, tableName } from '../../functions/kernel/store/client.ts';
import { encodeCursor, type PageQuery, queryPage } from '../../functions/kernel/store/pagination.ts';
import { useLocalStore } from '../helpers/local-store.ts';

useLocalStore();

const PARTITION = 'PAGES#numbers';
const INDEXED_PARTITION = 'PAGES#indexed';
const SPARSE_PARTITION = 'PAGES#sparse';
const COUNT = 23;

function pad(n: number): string {
  return String(n).padStart(4, '0');
}

async function putAll(items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await documentClient().send(
      new BatchWriteCommand({ RequestItems: { [tableName()]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
    );
  }
}

/** Follows `nextCursor` to the end, returning every page. */
async function allPages(query: Omit<PageQuery, 'cursor'>): Promise<Array<Array<Record<string, unknown>>>> {
  const pages: Array<Array<Record<string, unknown>>> = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage({ ...query, cursor });
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
    if (pages.length > 100) throw new Error('the cursor never ran out');
  } while (cursor);
  return pages;
}

function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  await putAll(
    Array.from({ length: COUNT }, (_, i) => ({
      PK: PARTITION,
      SK: `ITEM#${pad(i)}`,
      n: i,
      parity: i % 2 === 0 ? 'even' : 'odd',
    })),
  );
  await putAll(
    Array.from({ length: COUNT }, (_, i) => ({
      PK: `PAGES#indexed#${pad(i)}`,
      SK: 'THING',
      GSI1PK: INDEXED_PARTITION,
      GSI1SK: `name-${pad(i)}`,
      n: i,
    })),
  );
});

describe('queryPage', () => {
  it('walks a partition in pages whose cursors round-trip, each item exactly once, in order', async () => {
    // Act
    const pages = await allPages({ partition: PARTITION, limit: 5 });

    // Assess
    expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat().map((item) => item.n)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
  });

  it('returns no cursor when a page ends exactly at the last item', async () => {
    // Act
    const page = await queryPage({ partition: PARTITION, limit: COUNT });

    // Assess
    expect(page.items).toHaveLength(COUNT);
    expect(page.nextCursor).toBeNull();
  });

  it('walks newest first when asked', async () => {
    // Act
    const pages = await allPages({ partition: PARTITION, limit: 10, newestFirst: true });

    // Assess
    expect(pages.flat().map((item) => item.n)).toEqual(Array.from({ length: COUNT }, (_, i) => COUNT - 1 - i));
  });

  it('fills pages even when a filter drops items, and resumes exactly after the last one returned', async () => {
    // Act
    const pages = await allPages({
      partition: PARTITION,
      limit: 4,
      filter: '#parity = :parity',
      names: { '#parity': 'parity' },
      values: { ':parity': 'even' },
    });

    // Assess
    expect(pages.map((page) => page.length)).toEqual([4, 4, 4]);
    expect(pages.flat().map((item) => item.n)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
  });

  it('pages through a secondary index with cursors that carry its keys', async () => {
    // Act
    const pages = await allPages({ index: 'GSI1', partition: INDEXED_PARTITION, limit: 7 });

    // Assess
    expect(pages.map((page) => page.length)).toEqual([7, 7, 7, 2]);
    expect(pages.flat().map((item) => item.n)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
  });

  it('hands back a cursor, not an endless read, when a filter matches almost nothing', async () => {
    // Prepare: far more non-matching items than one call reads, and one match at the very end.
    const many = 1_100;
    await putAll(
      Array.from({ length: many }, (_, i) => ({ PK: SPARSE_PARTITION, SK: `ITEM#${pad(i)}`, match: i === many - 1 ? 'yes' : 'no' })),
    );
    const query = {
      partition: SPARSE_PARTITION,
      limit: 5,
      filter: '#match = :yes',
      names: { '#match': 'match' },
      values: { ':yes': 'yes' },
    };

    // Act
    const first = await queryPage(query);
    const pages = await allPages(query);

    // Assess
    expect(first.items).toHaveLength(0);
    expect(first.nextCursor).not.toBeNull();
    expect(pages.flat().map((item) => item.SK)).toEqual([`ITEM#${pad(many - 1)}`]);
  });

  describe('refuses a cursor it did not hand out with a 400', () => {
    const keyIn = (partition: string) => ({ PK: partition, SK: 'ITEM#0003' });
    const tampered: Array<{ what: string; cursor: string; query?: Partial<PageQuery> }> = [
      { what: 'not base64url JSON', cursor: '!!not-a-cursor!!' },
      { what: 'JSON that is not an object', cursor: Buffer.from('"ITEM#0003"').toString('base64url') },
      { what: 'a key into another partition', cursor: encodeCursor(keyIn('SVC#someone-else')) },
      { what: 'a key with an attribute that is not a key', cursor: encodeCursor({ ...keyIn(PARTITION), admin: 'true' }) },
      { what: 'a key missing its sort key', cursor: encodeCursor({ PK: PARTITION }) },
      { what: 'a key with a number where a string belongs', cursor: encodeCursor({ PK: PARTITION, SK: 3 }) },
      {
        what: 'a table key on an index listing',
        cursor: encodeCursor(keyIn(PARTITION)),
        query: { index: 'GSI1', partition: INDEXED_PARTITION },
      },
    ];

    it.each(tampered)('$what', async ({ cursor, query }) => {
      // Act
      const error = await thrownBy(queryPage({ partition: PARTITION, limit: 5, ...query, cursor }));

      // Assess
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ status: 400, title: 'Invalid cursor' });
    });
  });

  it('accepts a cursor it handed out after a decode and re-encode', async () => {
    // Prepare
    const { nextCursor } = await queryPage({ partition: PARTITION, limit: 3 });
    const decoded = JSON.parse(Buffer.from(nextCursor as string, 'base64url').toString('utf8'));

    // Act
    const page = await queryPage({ partition: PARTITION, limit: 3, cursor: encodeCursor(decoded) });

    // Assess
    expect(page.items.map((item) => item.n)).toEqual([3, 4, 5]);
  });
});

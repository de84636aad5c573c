// The diff at realistic size: a seeded ~2 MB document and a revision with known changes.

import '../../../functions/api-contracts/schema-validator.ts';
import { describe, expect, it } from 'vitest';
import { applyKnownChanges, diffOpenApi, generateLargeDocument, loadOpenApiDocument } from '../../../functions/api-contracts/diff/index.ts';
import { NOW } from './fixtures.ts';

const PATHS = 500;

describe('a large generated document', () => {
  const base = generateLargeDocument({ seed: 7, paths: PATHS });
  const { document: revision, expected } = applyKnownChanges(base);
  const sorted = <T extends { id: string; operation: string | null; pointer: string }>(list: T[]) =>
    list
      .map(({ id, operation, pointer }) => ({ id, operation, pointer }))
      .sort((a, b) => `${a.operation} ${a.id}`.localeCompare(`${b.operation} ${b.id}`));

  it('is about 2 MB of JSON, with a few hundred paths, and the same for the same seed', () => {
    // Act
    const text = JSON.stringify(base);
    const again = JSON.stringify(generateLargeDocument({ seed: 7, paths: PATHS }));
    const other = JSON.stringify(generateLargeDocument({ seed: 8, paths: PATHS }));

    // Assess
    expect(text.length).toBeGreaterThan(2_000_000);
    expect(Object.keys(base['paths'] as object)).toHaveLength(PATHS);
    expect(again).toBe(text);
    expect(other).not.toBe(text);
  });

  it('diffs against its revision and finds exactly the known changes, each once per affected operation', () => {
    // Act
    const report = diffOpenApi(base, revision, { now: NOW });

    // Assess
    expect(sorted(report.changes)).toEqual(sorted(expected));
    expect(report.requiredBump).toBe('major');
    expect(report.summary).toEqual({ error: 8, warning: 4, info: 2 });
  });

  it('loads both documents and gives the same report from the loaded forms', async () => {
    // Prepare
    const loadedBase = await loadOpenApiDocument(JSON.stringify(base), 'application/json');
    const loadedRevision = await loadOpenApiDocument(new TextEncoder().encode(JSON.stringify(revision)), 'application/json');

    // Act
    const report = diffOpenApi(loadedBase, loadedRevision, { now: NOW });

    // Assess
    expect(sorted(report.changes)).toEqual(sorted(expected));
    expect(loadedRevision.digest).not.toBe(loadedBase.digest);
  });

  it('finds nothing between a document and a fresh copy of itself', () => {
    // Act
    const report = diffOpenApi(base, structuredClone(base), { now: NOW });

    // Assess
    expect(report.changes).toEqual([]);
  });
});

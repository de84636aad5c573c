// Every rule in the catalogue, proven both ways: its trigger is reported with the right level, operation and
// pointer, and a near miss is not. The levels expected are oasdiff's, written in the fixtures, not read from the catalogue.

import { describe, expect, it } from 'vitest';
import { diffOpenApi, RULES } from '../../../functions/api-contracts/diff/index.ts';
import { NOW } from './fixtures.ts';
import { FIXED_RULE_FIXTURES } from './rule-fixtures.ts';
import { schemaRuleFixtures } from './schema-fixtures.ts';

const FIXTURES = [...FIXED_RULE_FIXTURES, ...schemaRuleFixtures()];

describe('the rule catalogue', () => {
  it('lists at least 60 rules, each with a unique id, a level and a description', () => {
    // Prepare
    const ids = RULES.map((rule) => rule.id);

    // Act
    const unique = new Set(ids);

    // Assess
    expect(RULES.length).toBeGreaterThanOrEqual(60);
    expect(unique.size).toBe(ids.length);
    for (const rule of RULES) {
      expect(['error', 'warning', 'info']).toContain(rule.level);
      expect(rule.description.length).toBeGreaterThan(10);
    }
  });

  it('has a trigger and a near miss for every rule, and no fixture for an unknown rule', () => {
    // Prepare
    const catalogue = RULES.map((rule) => rule.id).sort();

    // Act
    const covered = [...new Set(FIXTURES.map((fixture) => fixture.id))].sort();

    // Assess
    expect(covered).toEqual(catalogue);
  });

  it('declares each rule at the level the fixtures expect', () => {
    // Prepare
    const expected = Object.fromEntries(FIXTURES.map((fixture) => [fixture.id, fixture.level]));

    // Act
    const declared = Object.fromEntries(RULES.map((rule) => [rule.id, rule.level]));

    // Assess
    expect(declared).toEqual(expected);
  });
});

describe('each rule', () => {
  it.each(FIXTURES)('$id is reported for its trigger', (fixture) => {
    // Prepare
    const options = { now: NOW, defaultSunsetDays: fixture.defaultSunsetDays ?? 0 };

    // Act
    const report = diffOpenApi(fixture.base, fixture.revision, options);

    // Assess
    expect(report.changes).toContainEqual(
      expect.objectContaining({ id: fixture.id, level: fixture.level, operation: fixture.operation, pointer: fixture.pointer }),
    );
  });

  it.each(FIXTURES)('$id is not reported for its near miss', (fixture) => {
    // Prepare
    const options = { now: NOW, defaultSunsetDays: fixture.defaultSunsetDays ?? 0 };

    // Act
    const report = diffOpenApi(fixture.nearMiss.base ?? fixture.base, fixture.nearMiss.revision, options);

    // Assess
    expect(report.changes.map((change) => change.id)).not.toContain(fixture.id);
  });
});

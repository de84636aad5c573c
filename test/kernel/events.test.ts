import { describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE, EVENT_TYPES, eventInfo, isEventType, SEVERITIES } from '../../functions/kernel/events.ts';

describe('the event catalogue', () => {
  it.each(EVENT_TYPES)('names %s as a dot-separated, lowercase type with a description and a severity', (type) => {
    // Act
    const info = eventInfo(type);

    // Assess
    expect(type).toMatch(/^[a-z]+\.[a-z_]+$/);
    expect(info.description.length).toBeGreaterThan(0);
    expect(SEVERITIES).toContain(info.severity);
  });

  it('recognises catalogued types and nothing else', () => {
    // Act
    const known = isEventType('version.released');
    const unknown = isEventType('version.exploded');
    const inherited = isEventType('toString');

    // Assess
    expect(known).toBe(true);
    expect(unknown).toBe(false);
    expect(inherited).toBe(false);
  });

  it('marks API key changes and retirements as critical for the compliance report', () => {
    // Act
    const critical = EVENT_TYPES.filter((type) => EVENT_CATALOGUE[type].critical);

    // Assess
    expect(critical).toEqual(expect.arrayContaining(['apikey.created', 'apikey.revoked', 'version.retired']));
    expect(critical).not.toContain('version.registered');
  });
});

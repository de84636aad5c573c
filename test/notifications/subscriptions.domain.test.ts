import { describe, expect, it } from 'vitest';
import {
  type FilterPolicy,
  filterPolicyOf,
  matchesFilterPolicy,
  type NotificationAttributes,
} from '../../functions/notifications/notifications.domain.ts';
import {
  checkFilter,
  emailAddressProblem,
  normalizeEmailAddress,
  normalizeFilter,
} from '../../functions/notifications/subscriptions.domain.ts';

const attributes = (eventType: string, severity: NotificationAttributes['severity'], service?: string): NotificationAttributes => ({
  eventType,
  severity,
  ...(service ? { service } : {}),
});

describe('filterPolicyOf', () => {
  it.each([
    [{}, {}],
    [{ eventTypes: ['*'] }, {}],
    [{ minSeverity: 'info' as const }, {}],
    [{ eventTypes: ['alert.*', 'deployment.rolled_back'] }, { eventType: [{ prefix: 'alert.' }, 'deployment.rolled_back'] }],
    [{ services: ['payments', 'search'] }, { service: ['payments', 'search'] }],
    [{ minSeverity: 'warning' as const }, { severity: ['warning', 'critical'] }],
    [{ minSeverity: 'critical' as const }, { severity: ['critical'] }],
  ])('turns %j into %j', (filter, policy) => {
    expect(filterPolicyOf(filter)).toEqual(policy);
  });
});

describe('matchesFilterPolicy (as SNS decides)', () => {
  const policy: FilterPolicy = filterPolicyOf({
    eventTypes: ['alert.*', 'incident.opened'],
    services: ['payments'],
    minSeverity: 'warning',
  });

  it.each([
    ['a matching prefix, service and severity', attributes('alert.firing', 'critical', 'payments'), true],
    ['an exact type', attributes('incident.opened', 'warning', 'payments'), true],
    ['a type outside the list', attributes('incident.resolved', 'critical', 'payments'), false],
    ['a prefix that is not whole', attributes('alerting.x', 'critical', 'payments'), false],
    ['another service', attributes('alert.firing', 'critical', 'search'), false],
    ['a quieter severity', attributes('alert.firing', 'info', 'payments'), false],
    ['no service attribute at all', attributes('alert.firing', 'critical'), false],
  ])('%s → %s', (_case, message, expected) => {
    expect(matchesFilterPolicy(policy, message)).toBe(expected);
  });

  it('lets everything through an empty policy, events of no service included', () => {
    expect(matchesFilterPolicy({}, attributes('deployment.started', 'info'))).toBe(true);
  });
});

describe('subscription filters and addresses', () => {
  it('points at the offending event type and refuses more combinations than SNS allows', () => {
    expect(checkFilter({ eventTypes: ['alert.*', 'bogus.*'] })).toMatchObject({ problem: { pointer: '/filter/eventTypes/1' } });
    expect(checkFilter({ eventTypes: ['version.released'] })).toMatchObject({ problem: { pointer: '/filter/eventTypes/0' } });
    const services = Array.from({ length: 20 }, (_, index) => `svc-${index}`);
    expect(checkFilter({ services, eventTypes: ['alert.*', 'incident.*', 'deployment.*'], minSeverity: 'warning' })).toEqual({
      policy: expect.anything(),
    }); // 3 × 20 × 2 = 120
    expect(
      checkFilter({ services, eventTypes: ['alert.*', 'incident.*', 'deployment.*', 'webhook.disabled'], minSeverity: 'warning' }),
    ).toMatchObject({ problem: { pointer: '/filter' } }); // 160
  });

  it('normalizes filters so equal ones compare equal', () => {
    expect(normalizeFilter({ eventTypes: ['incident.*', 'alert.*', 'alert.*'], services: [] })).toEqual({
      eventTypes: ['alert.*', 'incident.*'],
    });
  });

  it.each(['oncall@example.com', 'first.last+steward@mail.example.co.uk', "o'brien@example.ie", 'x@xn--bcher-kva.example'])(
    'accepts %s',
    (address) => {
      expect(emailAddressProblem(address)).toBeUndefined();
    },
  );

  it.each([
    '',
    'plain',
    '@example.com',
    'a@',
    'a@b',
    'a@example.c0m',
    'a..b@example.com',
    '.a@example.com',
    'a b@example.com',
    'a@exa mple.com',
    'a@example.com\r\nBcc: x@example.com',
    'x@example.com,y@example.com',
    '"quoted"@example.com',
    `${'a'.repeat(65)}@example.com`,
  ])('refuses %j', (address) => {
    expect(emailAddressProblem(address)).toBeDefined();
  });

  it('lowercases the domain only', () => {
    expect(normalizeEmailAddress('First.Last@Example.COM')).toBe('First.Last@example.com');
  });
});

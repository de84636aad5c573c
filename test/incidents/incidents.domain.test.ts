import { describe, expect, it } from 'vitest';
import {
  assertCanAcknowledge,
  assertCanResolve,
  buildTimeline,
  deploymentInWindow,
  type Incident,
  type IncidentEntry,
  incidentStats,
  type TimelineDeployment,
} from '../../functions/incidents/incidents.domain.ts';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const actor = { keyId: 'k1', name: 'ops' };

describe('incident statistics', () => {
  it('computes MTTA over acknowledged and MTTR over resolved incidents opened in the window', () => {
    // Arrange
    const incidents = [
      { openedAt: iso(0), acknowledgedAt: iso(60), resolvedAt: iso(600) },
      { openedAt: iso(1000), acknowledgedAt: iso(1180), resolvedAt: iso(2800) },
      { openedAt: iso(2000), acknowledgedAt: null, resolvedAt: iso(2300) },
      { openedAt: iso(3000), acknowledgedAt: null, resolvedAt: null },
      { openedAt: iso(-10), acknowledgedAt: iso(0), resolvedAt: iso(10) }, // before the window
      { openedAt: iso(9000), acknowledgedAt: iso(9001), resolvedAt: null }, // after it
    ];

    // Act
    const stats = incidentStats(incidents, at(0), at(3600));

    // Assess
    expect(stats).toEqual({
      from: iso(0),
      to: iso(3600),
      opened: 4,
      acknowledged: 2,
      resolved: 3,
      mttaSeconds: 120, // (60 + 180) / 2
      mttrSeconds: 900, // (600 + 1800 + 300) / 3
    });
  });

  it('gives null means and zero counts when nothing happened', () => {
    expect(incidentStats([], at(0), at(60))).toMatchObject({
      opened: 0,
      acknowledged: 0,
      resolved: 0,
      mttaSeconds: null,
      mttrSeconds: null,
    });
  });

  it('keeps fractions of seconds to the millisecond', () => {
    const stats = incidentStats([{ openedAt: iso(0), acknowledgedAt: iso(1.5), resolvedAt: iso(2.25) }], at(0), at(10));
    expect(stats).toMatchObject({ mttaSeconds: 1.5, mttrSeconds: 2.25 });
  });
});

describe('the incident timeline', () => {
  const deployment = (id: string, created: number, finished: number | null): TimelineDeployment => ({
    id,
    environment: 'prod',
    version: '1.2.0',
    fromVersion: '1.1.0',
    status: finished === null ? 'in_progress' : 'succeeded',
    createdAt: iso(created),
    finishedAt: finished === null ? null : iso(finished),
  });

  it('orders entries and window deployments by time, opening first and resolution last on ties', () => {
    // Arrange: stored out of order, with ties at 0 and 500
    const entries: IncidentEntry[] = [
      { id: 'e5', at: iso(500), kind: 'resolved', actor, text: 'fixed' },
      { id: 'e4', at: iso(500), kind: 'note', actor, text: 'last words' },
      { id: 'e3', at: iso(120), kind: 'acknowledged', actor },
      { id: 'e2', at: iso(0), kind: 'alert', actor, alertId: 'a1', alertName: 'down', severity: 'critical', summary: 's' },
      { id: 'e1', at: iso(0), kind: 'opened', actor, text: null },
      { id: 'e6', at: iso(300), kind: 'alert', actor, alertId: 'a2', alertName: 'down', severity: 'critical', summary: 's' },
    ];
    const deployments = [
      deployment('d-before', -600, -300), // finished before the incident
      deployment('d-overlap', -60, 60), // under way when it opened
      deployment('d-during', 200, 260),
      deployment('d-after', 900, null), // after it was resolved
    ];

    // Act
    const timeline = buildTimeline(entries, deployments, { from: iso(0), to: iso(500) });

    // Assess
    expect(timeline.map((item) => ('id' in item ? item.id : item.deploymentId))).toEqual([
      'd-overlap',
      'e1',
      'e2',
      'e3',
      'd-during',
      'e6',
      'e4',
      'e5',
    ]);
    expect(timeline[0]).toMatchObject({ kind: 'deployment', at: iso(-60), environment: 'prod', version: '1.2.0' });
  });

  it('counts a deployment still running as under way until now', () => {
    expect(deploymentInWindow(deployment('d', -3600, null), { from: iso(0), to: iso(10) })).toBe(true);
    expect(deploymentInWindow(deployment('d', 11, null), { from: iso(0), to: iso(10) })).toBe(false);
  });
});

describe('incident moves', () => {
  const incident = (status: Incident['status']): Incident => ({
    id: 'i1',
    service: 'svc',
    title: 't',
    severity: 'critical',
    status,
    summary: null,
    openedBy: actor,
    openedByAlertId: null,
    openedAt: iso(0),
    acknowledgedAt: status === 'open' ? null : iso(1),
    acknowledgedBy: null,
    resolvedAt: status === 'resolved' ? iso(2) : null,
    resolvedBy: null,
    resolution: null,
    alertCount: 0,
    noteCount: 0,
  });

  it('acknowledges only an open incident and resolves only an unresolved one', () => {
    expect(() => assertCanAcknowledge(incident('open'))).not.toThrow();
    expect(() => assertCanAcknowledge(incident('acknowledged'))).toThrow(/already acknowledged/);
    expect(() => assertCanAcknowledge(incident('resolved'))).toThrow(/resolved/);
    expect(() => assertCanResolve(incident('open'))).not.toThrow();
    expect(() => assertCanResolve(incident('acknowledged'))).not.toThrow();
    expect(() => assertCanResolve(incident('resolved'))).toThrow(/already resolved/);
  });
});

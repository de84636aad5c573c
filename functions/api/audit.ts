import * as z from 'zod';
import { eventInfo, isEventType } from '#domain/events';
import { ForbiddenError, NotFoundError } from '#domain/errors';
import { canSeeService, type Principal } from '#domain/roles';
import { defineOperation } from '#http/operation';
import { AuditPage, AuditQuery, AuditReportView, AuditWindowQuery, HistoryQuery } from '#schemas/audit';
import { ServiceName } from '#schemas/services';
import { type AuditRecord, queryAudit } from '#store/audit';
import { getService } from '#store/services';

const tag = 'Audit';
const group = 'audit';

export const serviceHistoryOperation = defineOperation({
  operationId: 'getServiceHistory',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/history',
  summary: "A service's history, newest first",
  access: 'viewer',
  serviceParam: 'name',
  params: ServiceName,
  query: HistoryQuery,
  responses: {
    200: { description: 'A page of audit records.', schema: AuditPage },
    404: { description: 'No such service.' },
  },
  handle: async (request) => {
    if (!(await getService(request.params.name))) throw new NotFoundError(`There is no service named ${request.params.name}.`);
    const page = await queryAudit({ ...request.query, service: request.params.name }, request.principal);
    return { status: 200, body: page };
  },
});

function checkServiceFilter(principal: Principal, service: string | undefined): void {
  if (service && !canSeeService(principal, service)) {
    throw new ForbiddenError(`Key "${principal.name}" is limited to other services than ${service}.`);
  }
}

export const listAuditOperation = defineOperation({
  operationId: 'listAudit',
  group,
  tag,
  method: 'GET',
  path: '/v1/audit',
  summary: 'Search the audit trail, newest first',
  description:
    'Filter by service, actor (API key id), event type (`version.released` or a family `version.*`) and time window. Events that belong to no service (API keys) are shown to unscoped admins only.',
  access: 'viewer',
  query: AuditQuery,
  responses: { 200: { description: 'A page of audit records.', schema: AuditPage } },
  handle: async (request) => {
    checkServiceFilter(request.principal, request.query.service);
    return { status: 200, body: await queryAudit(request.query, request.principal) };
  },
});

/** One export response stays well under Lambda's 6 MB response limit; the rest follows via `Link`. */
const EXPORT_BYTES_PER_RESPONSE = 4_000_000;

export const exportAuditOperation = defineOperation({
  operationId: 'exportAudit',
  group,
  tag,
  method: 'GET',
  path: '/v1/audit/export',
  summary: 'Export the audit trail as NDJSON, oldest first',
  description:
    'One JSON audit record per line. A response carries up to about 4 MB; when more remains, the `Link` header (rel="next") gives the URL of the next part.',
  access: 'viewer',
  query: AuditWindowQuery.extend({ cursor: z.string().min(1).max(2048).optional() }),
  responses: {
    200: {
      description: 'Audit records, one per line.',
      contentType: 'application/x-ndjson',
      schema: z.string(),
      headers: { Link: { description: 'The next part, when there is one: `<url>; rel="next"`.' } },
    },
  },
  handle: async (request) => {
    const lines: string[] = [];
    let bytes = 0;
    let cursor = request.query.cursor;
    do {
      const page = await queryAudit({ ...request.query, cursor, limit: 100, newestFirst: false }, request.principal);
      for (const record of page.items) {
        const line = JSON.stringify(record);
        lines.push(line);
        bytes += line.length + 1;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor && bytes < EXPORT_BYTES_PER_RESPONSE);
    const headers: Record<string, string> = {};
    if (cursor) {
      const next = new URLSearchParams({ ...pick(request.query, ['from', 'to']), cursor });
      headers.link = `</v1/audit/export?${next.toString()}>; rel="next"`;
    }
    return { status: 200, contentType: 'application/x-ndjson', body: lines.map((line) => `${line}\n`).join(''), headers };
  },
});

function pick(query: Record<string, unknown>, fields: string[]): Record<string, string> {
  return Object.fromEntries(fields.filter((field) => typeof query[field] === 'string').map((field) => [field, query[field] as string]));
}

/** A report reads at most this many events; beyond, it says it is truncated. */
const REPORT_EVENT_LIMIT = 50_000;

export const auditReportOperation = defineOperation({
  operationId: 'getAuditReport',
  group,
  tag,
  method: 'GET',
  path: '/v1/audit/report',
  summary: 'A compliance summary of a time window',
  description: 'Counts per event type, per actor and per service, and every critical event (API key changes, retirements, ...).',
  access: 'viewer',
  query: AuditWindowQuery,
  responses: { 200: { description: 'The report.', schema: AuditReportView } },
  handle: async (request) => {
    const byType: Record<string, number> = {};
    const byActor = new Map<string, { keyId: string; name: string; count: number }>();
    const byService: Record<string, number> = {};
    const criticalEvents: AuditRecord[] = [];
    let total = 0;
    let cursor: string | undefined;
    do {
      const page = await queryAudit({ ...request.query, cursor, limit: 100, newestFirst: false }, request.principal);
      for (const record of page.items) {
        total++;
        byType[record.type] = (byType[record.type] ?? 0) + 1;
        const actor = byActor.get(record.actor.keyId) ?? { ...record.actor, count: 0 };
        actor.count++;
        byActor.set(record.actor.keyId, actor);
        if (record.service) byService[record.service] = (byService[record.service] ?? 0) + 1;
        if (isEventType(record.type) && eventInfo(record.type).critical) criticalEvents.push(record);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor && total < REPORT_EVENT_LIMIT);
    return {
      status: 200,
      body: {
        from: request.query.from ?? null,
        to: request.query.to ?? null,
        generatedAt: new Date().toISOString(),
        total,
        byType,
        byActor: [...byActor.values()].sort((a, b) => b.count - a.count),
        byService,
        criticalEvents,
        truncated: cursor !== undefined,
      },
    };
  },
});

export const auditOperations = [serviceHistoryOperation, listAuditOperation, exportAuditOperation, auditReportOperation];

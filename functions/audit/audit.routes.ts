import * as contracts from './audit.contract.ts';
import { eventInfo, isEventType } from '#kernel/events';
import { NotFoundError } from '#kernel/errors';
import { implement } from '#kernel/http/operation';
import { type AuditRecord, queryAudit } from './audit.store.ts';
import { getService } from '#services/public';

/** One export response stays well under Lambda's 6 MB response limit; the rest follows via `Link`. */
const EXPORT_BYTES_PER_RESPONSE = 4_000_000;

function pick(query: Record<string, unknown>, fields: string[]): Record<string, string> {
  return Object.fromEntries(fields.filter((field) => typeof query[field] === 'string').map((field) => [field, query[field] as string]));
}

/** A report reads at most this many events; beyond, it says it is truncated. */
const REPORT_EVENT_LIMIT = 50_000;

export const auditOperations = [
  implement(contracts.getServiceHistory, async (request) => {
    if (!(await getService(request.params.name))) throw new NotFoundError(`There is no service named ${request.params.name}.`);
    const page = await queryAudit({ ...request.query, service: request.params.name }, request.principal);
    return { status: 200, body: page };
  }),

  implement(contracts.listAudit, async (request) => {
    return { status: 200, body: await queryAudit(request.query, request.principal) };
  }),

  implement(contracts.exportAudit, async (request) => {
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
  }),

  implement(contracts.getAuditReport, async (request) => {
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
  }),
];

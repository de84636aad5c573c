import * as z from 'zod';
import { defineContract } from '#kernel/http/operation';
import { AuditPage, AuditQuery, AuditReportView, AuditWindowQuery, HistoryQuery } from './audit.schema.ts';
import { ServiceName } from '#services/services.schema';

const tag = 'Audit';
const group = 'audit';

export const getServiceHistory = defineContract({
  operationId: 'getServiceHistory',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/history',
  summary: "A service's history, newest first",
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  query: HistoryQuery,
  responses: {
    200: { description: 'A page of audit records.', schema: AuditPage },
    404: { description: 'No such service.' },
  },
});

export const listAudit = defineContract({
  operationId: 'listAudit',
  group,
  tag,
  method: 'GET',
  path: '/v1/audit',
  summary: 'Search the audit trail, newest first',
  description:
    'Filter by service, actor (API key id), event type (`version.released` or a family `version.*`) and time window. Events that belong to no service (API keys) are shown to unscoped admins only.',
  access: 'viewer',
  scope: { from: 'list', query: 'service' },
  query: AuditQuery,
  responses: { 200: { description: 'A page of audit records.', schema: AuditPage } },
});

export const exportAudit = defineContract({
  operationId: 'exportAudit',
  group,
  tag,
  method: 'GET',
  path: '/v1/audit/export',
  summary: 'Export the audit trail as NDJSON, oldest first',
  description:
    'One JSON audit record per line. A response carries up to about 4 MB; when more remains, the `Link` header (rel="next") gives the URL of the next part.',
  access: 'viewer',
  scope: { from: 'list' },
  query: AuditWindowQuery.extend({ cursor: z.string().min(1).max(2048).optional() }),
  responses: {
    200: {
      description: 'Audit records, one per line.',
      contentType: 'application/x-ndjson',
      schema: z.string(),
      headers: { Link: { description: 'The next part, when there is one: `<url>; rel="next"`.' } },
    },
  },
});

export const getAuditReport = defineContract({
  operationId: 'getAuditReport',
  group,
  tag,
  method: 'GET',
  path: '/v1/audit/report',
  summary: 'A compliance summary of a time window',
  description: 'Counts per event type, per actor and per service, and every critical event (API key changes, retirements, ...).',
  access: 'viewer',
  scope: { from: 'list' },
  query: AuditWindowQuery,
  responses: { 200: { description: 'The report.', schema: AuditReportView } },
});

export const auditContracts = [getServiceHistory, listAudit, exportAudit, getAuditReport];

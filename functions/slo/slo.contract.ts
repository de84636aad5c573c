import { defineContract } from '#kernel/http/operation';
import { ServiceName } from '#services/services.schema';
import { SloPut, SloView, UptimeQuery, UptimeView } from './slo.schema.ts';

/** The uptime and SLO routes' contracts (deployed with the health checks). Behaviour is in functions/slo/slo.routes.ts. */

const tag = 'Uptime and SLOs';
const group = 'health-checks';

export const putSlo = defineContract({
  operationId: 'putSlo',
  group,
  tag,
  method: 'PUT',
  path: '/v1/services/{name}/slo',
  summary: 'Set a service’s SLO target',
  description:
    'Without `environment` it sets the service’s default target; with it, that environment’s own. Each change is an `slo.updated` event; setting the same target again records nothing.',
  access: 'deployer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  body: SloPut,
  responses: {
    200: { description: 'The service’s SLO targets.', schema: SloView },
    404: { description: 'No such service.' },
  },
});

export const getUptime = defineContract({
  operationId: 'getUptime',
  group,
  tag,
  method: 'GET',
  path: '/v1/services/{name}/uptime',
  summary: 'Uptime, latency and error budget from the service’s health checks',
  description:
    'Over the window ending now, from the results of the service’s health checks (in `environment`, when given). A result covers its check’s interval; time no result covers counts as unknown, never as up. With an SLO target, also the error budget over the window, its burn rate, and the multiwindow burn-rate alerts (page at 14.4× over 1 h and 5 min or 6× over 6 h and 30 min; ticket at 1× over 3 days and 6 h). `incidents` is always empty for now: incidents come with a later part of the monitoring work.',
  access: 'viewer',
  scope: { from: 'path', param: 'name' },
  params: ServiceName,
  query: UptimeQuery,
  responses: {
    200: { description: 'The uptime.', schema: UptimeView },
    404: { description: 'No such service.' },
  },
});

export const sloContracts = [putSlo, getUptime];

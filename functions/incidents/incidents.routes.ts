import { commandContext } from '#kernel/http/request-context';
import { acknowledgeIncident, addIncidentNote, openIncident, readIncident, resolveIncident } from './incidents.commands.ts';
import { BadRequestError } from '#kernel/errors';
import { buildTimeline, type Incident, incidentStats, incidentWindow, type TimelineDeployment } from './incidents.domain.ts';
import { canSeeService } from '#kernel/roles';
import { implement, type Operation } from '#kernel/http/operation';
import * as contracts from './incidents.contract.ts';
import { listDeployments } from '#deployments/public';
import { getIncident, incidentsOpenedSince, listIncidentEntries, listIncidents } from './incidents.store.ts';

const DAY_MS = 86_400_000;
/** How far before an incident opened a still-running deployment may have started and be shown. */
const DEPLOYMENT_LOOKBACK_MS = DAY_MS;
const MAX_DEPLOYMENT_PAGES = 10;

const incidentService = async (id: string) => (await getIncident(id))?.service;

/** The service's deployments that may touch the window, newest first, from the existing deployments list. */
async function deploymentsNear(incident: Incident, to: string): Promise<TimelineDeployment[]> {
  const oldest = Date.parse(incident.openedAt) - DEPLOYMENT_LOOKBACK_MS;
  const found: TimelineDeployment[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < MAX_DEPLOYMENT_PAGES; pages++) {
    const page = await listDeployments(incident.service, { limit: 100, cursor });
    for (const deployment of page.items) {
      if (Date.parse(deployment.createdAt) < oldest) return found;
      if (Date.parse(deployment.createdAt) > Date.parse(to)) continue;
      const { id, environment, version, fromVersion, status, createdAt, finishedAt } = deployment;
      found.push({ id, environment, version, fromVersion, status, createdAt, finishedAt });
    }
    cursor = page.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return found;
}

export const incidentOperations: Operation[] = [
  implement(contracts.openIncident, async (request) => {
    const incident = await openIncident(request.body, commandContext(request));
    return { status: 201, body: incident, headers: { location: `/v1/incidents/${incident.id}` } };
  }),

  implement(contracts.listIncidents, async (request) => {
    const { limit, cursor, status, service } = request.query;
    const page = await listIncidents({ status, service, services: request.principal.services }, { limit, cursor });
    return { status: 200, body: page };
  }),

  implement(contracts.incidentStats, async (request) => {
    const to = request.query.to ? new Date(request.query.to) : new Date();
    const from = request.query.from ? new Date(request.query.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from.getTime() > to.getTime()) throw new BadRequestError('`from` is after `to`.');
    const incidents = await incidentsOpenedSince(from, { service: request.query.service, services: request.principal.services });
    return { status: 200, body: incidentStats(incidents, from, to) };
  }),

  implement(
    contracts.getIncident,
    async (request) => {
      const incident = await readIncident(request.params.id, (service) => canSeeService(request.principal, service));
      const window = incidentWindow(incident, new Date());
      const [entries, deployments] = await Promise.all([listIncidentEntries(incident.id), deploymentsNear(incident, window.to)]);
      return { status: 200, body: { ...incident, timeline: buildTimeline(entries, deployments, window) } };
    },
    { serviceOf: (request) => incidentService(request.params.id) },
  ),

  implement(
    contracts.acknowledgeIncident,
    async (request) => {
      const incident = await acknowledgeIncident(request.params.id, commandContext(request), (service) =>
        canSeeService(request.principal, service),
      );
      return { status: 200, body: incident };
    },
    { serviceOf: (request) => incidentService(request.params.id) },
  ),

  implement(
    contracts.addIncidentNote,
    async (request) => {
      const incident = await addIncidentNote(request.params.id, request.body.text, commandContext(request), (service) =>
        canSeeService(request.principal, service),
      );
      return { status: 201, body: incident };
    },
    { serviceOf: (request) => incidentService(request.params.id) },
  ),

  implement(
    contracts.resolveIncident,
    async (request) => {
      const incident = await resolveIncident(request.params.id, request.body.summary, commandContext(request), (service) =>
        canSeeService(request.principal, service),
      );
      return { status: 200, body: incident };
    },
    { serviceOf: (request) => incidentService(request.params.id) },
  ),
];

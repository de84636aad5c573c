import { defineContract } from '#kernel/http/operation';
import {
  IncidentAcknowledge,
  IncidentCreate,
  IncidentDetail,
  IncidentNote,
  IncidentPage,
  IncidentParams,
  IncidentResolve,
  IncidentStatsQuery,
  IncidentStatsView,
  IncidentsQuery,
  IncidentView,
} from './incidents.schema.ts';

/** The incident routes' contracts: validation and OpenAPI only. Behaviour is in functions/incidents/incidents.routes.ts. */

// Deployed with the alerts function: incidents are opened by alerts and read the same tables.
const group = 'alerts';
const tag = 'Incidents';

export const openIncident = defineContract({
  operationId: 'openIncident',
  group,
  tag,
  method: 'POST',
  path: '/v1/incidents',
  summary: 'Open an incident by hand',
  description: 'A service has at most one open (or acknowledged) incident; critical alerts open one, or join the open one, by themselves.',
  access: 'deployer',
  scope: { from: 'body', field: 'service' },
  body: IncidentCreate,
  responses: {
    201: { description: 'Opened.', schema: IncidentView, headers: { location: { description: 'The incident.' } } },
    400: { description: 'No such service.' },
    403: { description: 'The key is not scoped to the service.' },
    409: { description: 'The service already has an open incident (`openIncidentId`).' },
  },
});

export const listIncidents = defineContract({
  operationId: 'listIncidents',
  group,
  tag,
  method: 'GET',
  path: '/v1/incidents',
  summary: 'List incidents, newest first',
  access: 'viewer',
  scope: { from: 'list', query: 'service' },
  query: IncidentsQuery,
  responses: { 200: { description: 'A page of incidents.', schema: IncidentPage } },
});

export const incidentStats = defineContract({
  operationId: 'incidentStats',
  group,
  tag,
  method: 'GET',
  path: '/v1/incidents/stats',
  summary: 'MTTA and MTTR',
  description: 'Over the incidents opened in the window: mean seconds from opening to acknowledgement (MTTA) and to resolution (MTTR).',
  access: 'viewer',
  scope: { from: 'list', query: 'service' },
  query: IncidentStatsQuery,
  responses: { 200: { description: 'The statistics.', schema: IncidentStatsView }, 400: { description: '`from` after `to`.' } },
});

export const getIncident = defineContract({
  operationId: 'getIncident',
  group,
  tag,
  method: 'GET',
  path: '/v1/incidents/{id}',
  summary: 'Read an incident with its timeline',
  description:
    'The timeline, oldest first: opening, joined alerts, acknowledgement, notes, resolution, and the deployments of the service under way in the incident’s window.',
  access: 'viewer',
  scope: { from: 'resource' },
  params: IncidentParams,
  responses: { 200: { description: 'The incident.', schema: IncidentDetail }, 404: { description: 'No such incident.' } },
});

export const acknowledgeIncident = defineContract({
  operationId: 'acknowledgeIncident',
  group,
  tag,
  method: 'POST',
  path: '/v1/incidents/{id}/acknowledge',
  summary: 'Acknowledge an incident',
  access: 'deployer',
  scope: { from: 'resource' },
  params: IncidentParams,
  body: IncidentAcknowledge,
  bodyOptional: true,
  responses: {
    200: { description: 'The incident.', schema: IncidentView },
    404: { description: 'No such incident.' },
    409: { description: 'Already acknowledged, or resolved.' },
  },
});

export const addIncidentNote = defineContract({
  operationId: 'addIncidentNote',
  group,
  tag,
  method: 'POST',
  path: '/v1/incidents/{id}/notes',
  summary: 'Add a note to an incident’s timeline',
  description: 'Allowed after resolution too, for the review.',
  access: 'deployer',
  scope: { from: 'resource' },
  params: IncidentParams,
  body: IncidentNote,
  responses: { 201: { description: 'The incident.', schema: IncidentView }, 404: { description: 'No such incident.' } },
});

export const resolveIncident = defineContract({
  operationId: 'resolveIncident',
  group,
  tag,
  method: 'POST',
  path: '/v1/incidents/{id}/resolve',
  summary: 'Resolve an incident',
  description: 'The service may then open a new incident.',
  access: 'deployer',
  scope: { from: 'resource' },
  params: IncidentParams,
  body: IncidentResolve,
  responses: {
    200: { description: 'The incident.', schema: IncidentView },
    404: { description: 'No such incident.' },
    409: { description: 'Already resolved.' },
  },
});

export const incidentContracts = [
  openIncident,
  listIncidents,
  incidentStats,
  getIncident,
  acknowledgeIncident,
  addIncidentNote,
  resolveIncident,
];

import { defineContract } from '#kernel/http/operation';
import {
  AcknowledgeBatch,
  AcknowledgeBatchResult,
  AcknowledgeBody,
  AlertPage,
  AlertParams,
  AlertRuleCreate,
  AlertRulePage,
  AlertRuleParams,
  AlertRulePatch,
  AlertRulesQuery,
  AlertRuleView,
  AlertsQuery,
  AlertView,
} from './alerts.schema.ts';

/** The alert rule and alert routes' contracts: validation and OpenAPI only. Behaviour is in functions/alerts/alerts.routes.ts. */

const group = 'alerts';

export const createAlertRule = defineContract({
  operationId: 'createAlertRule',
  group,
  tag: 'Alert rules',
  method: 'POST',
  path: '/v1/alert-rules',
  summary: 'Define an alert rule',
  description:
    'Every minute (locally, every tick) the rule reduces the samples of `metric` for its service (and `labels`) over `window`, one value per label set, and compares it with `threshold`. A label set whose condition holds is pending, fires after it has held for `for`, and resolves when it clears; at most one alert is open per rule and label set. No samples in the window means the condition does not hold.',
  access: 'deployer',
  scope: { from: 'body', field: 'service|labels.service' },
  body: AlertRuleCreate,
  responses: {
    201: {
      description: 'Defined.',
      schema: AlertRuleView,
      headers: { location: { description: 'The rule.' }, etag: { description: 'Its revision.' } },
    },
    400: { description: 'A bad duration, no service, or a service that does not exist.' },
    403: { description: 'The key is not scoped to the service.' },
  },
});

export const listAlertRules = defineContract({
  operationId: 'listAlertRules',
  group,
  tag: 'Alert rules',
  method: 'GET',
  path: '/v1/alert-rules',
  summary: 'List alert rules',
  access: 'viewer',
  scope: { from: 'list', query: 'service' },
  query: AlertRulesQuery,
  responses: { 200: { description: 'A page of rules.', schema: AlertRulePage } },
});

export const getAlertRule = defineContract({
  operationId: 'getAlertRule',
  group,
  tag: 'Alert rules',
  method: 'GET',
  path: '/v1/alert-rules/{id}',
  summary: 'Read an alert rule',
  access: 'viewer',
  scope: { from: 'resource' },
  params: AlertRuleParams,
  responses: { 200: { description: 'The rule.', schema: AlertRuleView }, 404: { description: 'No such rule.' } },
});

export const updateAlertRule = defineContract({
  operationId: 'updateAlertRule',
  group,
  tag: 'Alert rules',
  method: 'PATCH',
  path: '/v1/alert-rules/{id}',
  summary: 'Change an alert rule',
  description: 'Open alerts stay open and are judged by the new definition at the next evaluation. Honours If-Match.',
  access: 'deployer',
  scope: { from: 'resource' },
  params: AlertRuleParams,
  body: AlertRulePatch,
  requestHeaders: ['If-Match'],
  responses: {
    200: { description: 'The rule.', schema: AlertRuleView },
    404: { description: 'No such rule.' },
    412: { description: 'If-Match does not match.' },
  },
});

export const deleteAlertRule = defineContract({
  operationId: 'deleteAlertRule',
  group,
  tag: 'Alert rules',
  method: 'DELETE',
  path: '/v1/alert-rules/{id}',
  summary: 'Delete an alert rule',
  description: 'Its open alerts resolve in the same change. Honours If-Match.',
  access: 'deployer',
  scope: { from: 'resource' },
  params: AlertRuleParams,
  requestHeaders: ['If-Match'],
  responses: { 204: { description: 'Deleted.' }, 404: { description: 'No such rule.' }, 412: { description: 'If-Match does not match.' } },
});

export const listAlerts = defineContract({
  operationId: 'listAlerts',
  group,
  tag: 'Alerts',
  method: 'GET',
  path: '/v1/alerts',
  summary: 'List alerts, newest first',
  description:
    'Alerts raised by rules and by health checks turning unhealthy (severity `critical`), filtered by status, severity and service.',
  access: 'viewer',
  scope: { from: 'list', query: 'service' },
  query: AlertsQuery,
  responses: { 200: { description: 'A page of alerts.', schema: AlertPage } },
});

export const getAlert = defineContract({
  operationId: 'getAlert',
  group,
  tag: 'Alerts',
  method: 'GET',
  path: '/v1/alerts/{id}',
  summary: 'Read an alert',
  access: 'viewer',
  scope: { from: 'resource' },
  params: AlertParams,
  responses: { 200: { description: 'The alert.', schema: AlertView }, 404: { description: 'No such alert.' } },
});

export const acknowledgeAlert = defineContract({
  operationId: 'acknowledgeAlert',
  group,
  tag: 'Alerts',
  method: 'POST',
  path: '/v1/alerts/{id}/acknowledge',
  summary: 'Acknowledge an alert',
  description:
    'An open alert becomes `acknowledged` (it still resolves when its condition clears); a resolved one keeps its status and records who acknowledged it. Acknowledging again changes nothing.',
  access: 'deployer',
  scope: { from: 'resource' },
  params: AlertParams,
  body: AcknowledgeBody,
  bodyOptional: true,
  responses: { 200: { description: 'The alert.', schema: AlertView }, 404: { description: 'No such alert.' } },
});

export const acknowledgeAlerts = defineContract({
  operationId: 'acknowledgeAlerts',
  group,
  tag: 'Alerts',
  method: 'POST',
  path: '/v1/alerts/acknowledge-batch',
  summary: 'Acknowledge several alerts',
  description: 'Up to 100 ids; each gets its own outcome, in the order given.',
  access: 'deployer',
  scope: { from: 'list' },
  body: AcknowledgeBatch,
  responses: { 200: { description: 'One outcome per id.', schema: AcknowledgeBatchResult } },
});

export const alertContracts = [
  createAlertRule,
  listAlertRules,
  getAlertRule,
  updateAlertRule,
  deleteAlertRule,
  listAlerts,
  getAlert,
  acknowledgeAlerts,
  acknowledgeAlert,
];

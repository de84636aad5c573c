import { commandContext } from '#kernel/http/request-context';
import { acknowledgeAlert } from './acknowledge.commands.ts';
import { createAlertRule, deleteAlertRule, readAlertRule, updateAlertRule } from './rules.commands.ts';
import { etagOf } from '#kernel/command-context';
import * as contracts from './alerts.contract.ts';
import type { AlertRule } from './alerts.domain.ts';
import { NotFoundError } from '#kernel/errors';
import { canSeeService } from '#kernel/roles';
import { implement, type Operation } from '#kernel/http/operation';
import { getAlert, getAlertRule, listAlertRules, listAlerts, openSeriesOfRule } from './alerts.store.ts';

function ruleView(rule: AlertRule) {
  const { rev, deletedAt: _deleted, ...fields } = rule;
  return { ...fields, etag: etagOf(rev) };
}

/** The service of a rule, for the routes' scope (undefined: no such rule, the route answers 404). */
async function ruleService(id: string): Promise<string | undefined> {
  return (await getAlertRule(id))?.rule.service;
}

const alertService = async (id: string) => (await getAlert(id))?.alert.service;

export const alertOperations: Operation[] = [
  implement(contracts.createAlertRule, async (request) => {
    const rule = await createAlertRule(request.body, commandContext(request));
    return { status: 201, body: ruleView(rule), headers: { location: `/v1/alert-rules/${rule.id}`, etag: etagOf(rule.rev) } };
  }),

  implement(contracts.listAlertRules, async (request) => {
    const page = await listAlertRules(request.query);
    return {
      status: 200,
      body: {
        items: page.items.filter((rule) => canSeeService(request.principal, rule.service)).map(ruleView),
        nextCursor: page.nextCursor,
      },
    };
  }),

  implement(
    contracts.getAlertRule,
    async (request) => {
      const { rule } = await readAlertRule(request.params.id);
      return { status: 200, body: { ...ruleView(rule), series: await openSeriesOfRule(rule) }, headers: { etag: etagOf(rule.rev) } };
    },
    { serviceOf: (request) => ruleService(request.params.id) },
  ),

  implement(
    contracts.updateAlertRule,
    async (request) => {
      const rule = await updateAlertRule(request.params.id, request.body, commandContext(request));
      return { status: 200, body: ruleView(rule), headers: { etag: etagOf(rule.rev) } };
    },
    {
      // Moving a rule to another service needs both: the one it leaves and the one it joins.
      serviceOf: async (request) => {
        const current = await ruleService(request.params.id);
        const next = request.body.service ?? request.body.labels?.service;
        return current === undefined ? undefined : next ? [current, next] : current;
      },
    },
  ),

  implement(
    contracts.deleteAlertRule,
    async (request) => {
      await deleteAlertRule(request.params.id, commandContext(request));
      return { status: 204 };
    },
    { serviceOf: (request) => ruleService(request.params.id) },
  ),

  implement(contracts.listAlerts, async (request) => {
    const { limit, cursor, status, severity, service } = request.query;
    const page = await listAlerts({ status, severity, service, services: request.principal.services }, { limit, cursor });
    return { status: 200, body: page };
  }),

  implement(
    contracts.getAlert,
    async (request) => {
      const found = await getAlert(request.params.id);
      if (!found) throw new NotFoundError(`There is no alert ${request.params.id}.`);
      return { status: 200, body: found.alert };
    },
    { serviceOf: (request) => alertService(request.params.id) },
  ),

  implement(contracts.acknowledgeAlerts, async (request) => {
    const context = commandContext(request);
    const visible = (service: string) => canSeeService(request.principal, service);
    const results: Array<{ id: string; outcome: string }> = [];
    // One at a time: ids of one rule share its aggregate, and each would otherwise retry the others' races.
    for (const id of request.body.ids) results.push({ id, outcome: (await acknowledgeAlert(id, context, visible)).outcome });
    return { status: 200, body: { results } };
  }),

  implement(
    contracts.acknowledgeAlert,
    async (request) => {
      const { outcome, alert } = await acknowledgeAlert(request.params.id, commandContext(request), () => true);
      if (outcome === 'not_found' || !alert) throw new NotFoundError(`There is no alert ${request.params.id}.`);
      return { status: 200, body: alert };
    },
    { serviceOf: (request) => alertService(request.params.id) },
  ),
];

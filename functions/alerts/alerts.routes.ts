import { commandContext } from '#kernel/http/request-context';
import { acknowledgeAlert } from './acknowledge.commands.ts';
import { createAlertRule, deleteAlertRule, readAlertRule, updateAlertRule } from './rules.commands.ts';
import { etagOf } from '#kernel/command-context';
import * as contracts from './alerts.contract.ts';
import type { AlertRule } from './alerts.domain.ts';
import { ForbiddenError, NotFoundError } from '#kernel/errors';
import { canSeeService, type Principal } from '#kernel/roles';
import { implement, type Operation } from '#kernel/http/operation';
import { getAlert, listAlertRules, listAlerts } from './alerts.store.ts';

function ruleView(rule: AlertRule) {
  const { rev, deletedAt: _deleted, ...fields } = rule;
  return { ...fields, etag: etagOf(rev) };
}

function requireScope(principal: Principal, service: string): void {
  if (!canSeeService(principal, service)) {
    throw new ForbiddenError(`Key "${principal.name}" is limited to other services than ${service}.`);
  }
}

/** A rule the key may see, or 404 (a rule of another service is not found for a scoped key). */
async function visibleRule(principal: Principal, id: string): Promise<AlertRule> {
  const { rule } = await readAlertRule(id);
  if (!canSeeService(principal, rule.service)) throw new NotFoundError(`There is no alert rule ${id}.`);
  return rule;
}

export const alertOperations: Operation[] = [
  implement(contracts.createAlertRule, async (request) => {
    const service = request.body.service ?? request.body.labels?.service;
    if (service) requireScope(request.principal, service);
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

  implement(contracts.getAlertRule, async (request) => {
    const rule = await visibleRule(request.principal, request.params.id);
    return { status: 200, body: ruleView(rule), headers: { etag: etagOf(rule.rev) } };
  }),

  implement(contracts.updateAlertRule, async (request) => {
    await visibleRule(request.principal, request.params.id);
    const service = request.body.service ?? request.body.labels?.service;
    if (service) requireScope(request.principal, service);
    const rule = await updateAlertRule(request.params.id, request.body, commandContext(request));
    return { status: 200, body: ruleView(rule), headers: { etag: etagOf(rule.rev) } };
  }),

  implement(contracts.deleteAlertRule, async (request) => {
    await visibleRule(request.principal, request.params.id);
    await deleteAlertRule(request.params.id, commandContext(request));
    return { status: 204 };
  }),

  implement(contracts.listAlerts, async (request) => {
    const { limit, cursor, status, severity, service } = request.query;
    const page = await listAlerts({ status, severity, service, services: request.principal.services }, { limit, cursor });
    return { status: 200, body: page };
  }),

  implement(contracts.getAlert, async (request) => {
    const found = await getAlert(request.params.id);
    if (!found || !canSeeService(request.principal, found.alert.service))
      throw new NotFoundError(`There is no alert ${request.params.id}.`);
    return { status: 200, body: found.alert };
  }),

  implement(contracts.acknowledgeAlerts, async (request) => {
    const context = commandContext(request);
    const visible = (service: string) => canSeeService(request.principal, service);
    const results: Array<{ id: string; outcome: string }> = [];
    // One at a time: ids of one rule share its aggregate, and each would otherwise retry the others' races.
    for (const id of request.body.ids) results.push({ id, outcome: (await acknowledgeAlert(id, context, visible)).outcome });
    return { status: 200, body: { results } };
  }),

  implement(contracts.acknowledgeAlert, async (request) => {
    const { outcome, alert } = await acknowledgeAlert(request.params.id, commandContext(request), (service) =>
      canSeeService(request.principal, service),
    );
    if (outcome === 'not_found' || !alert) throw new NotFoundError(`There is no alert ${request.params.id}.`);
    return { status: 200, body: alert };
  }),
];

import { commandContext } from '#kernel/http/request-context';
import { etagOf } from '#kernel/command-context';
import {
  createHealthCheck,
  deleteHealthCheck,
  readHealthCheck,
  revealHealthCheckHeaders,
  updateHealthCheck,
} from './health-checks.commands.ts';
import * as contracts from './health-checks.contract.ts';
import { ValidationError } from '#kernel/errors';
import { type HealthCheck, RESULT_RETENTION_DAYS, redactHeaders } from './health-check.domain.ts';
import { canRevealSecret } from '#secrets/secret.domain';
import { NotFoundError } from '#kernel/errors';
import { implement, type Operation } from '#kernel/http/operation';
import { getRunState, listHealthChecks, listResults } from './health-checks.store.ts';
import { getService } from '#services/public';
import { runCheck } from './runner.ts';

/**
 * How a check looks on the wire: its definition, state, counters and last result. Credentials show
 * as `***` (one stored before credentials were sealed too); where they are kept is not shown.
 */
async function healthCheckView(check: HealthCheck) {
  const run = await getRunState(check.id);
  const { rev, deletedAt: _deleted, sealedHeaders: _sealed, ...fields } = check;
  return {
    ...fields,
    headers: redactHeaders(check.headers),
    consecutiveFailures: run?.consecutiveFailures ?? 0,
    consecutiveSuccesses: run?.consecutiveSuccesses ?? 0,
    nextRunAt: run?.nextRunAt ?? null,
    lastResult: run?.lastResult ?? null,
    etag: etagOf(rev),
  };
}

const DAY_MS = 86_400_000;

export const healthCheckOperations: Operation[] = [
  implement(contracts.createHealthCheck, async (request) => {
    const check = await createHealthCheck(request.params.name, request.body, commandContext(request), {
      mayUseSecrets: canRevealSecret(request.principal, request.params.name),
    });
    return {
      status: 201,
      body: await healthCheckView(check),
      headers: { location: `/v1/services/${check.service}/health-checks/${check.id}`, etag: etagOf(check.rev) },
    };
  }),

  implement(contracts.listHealthChecks, async (request) => {
    const [service, page] = await Promise.all([getService(request.params.name), listHealthChecks(request.params.name, request.query)]);
    if (!service) throw new NotFoundError(`There is no service named ${request.params.name}.`);
    return { status: 200, body: { items: await Promise.all(page.items.map(healthCheckView)), nextCursor: page.nextCursor } };
  }),

  implement(contracts.getHealthCheck, async (request) => {
    const { check } = await readHealthCheck(request.params.name, request.params.id);
    return { status: 200, body: await healthCheckView(check), headers: { etag: etagOf(check.rev) } };
  }),

  implement(contracts.updateHealthCheck, async (request) => {
    const check = await updateHealthCheck(request.params.name, request.params.id, request.body, commandContext(request), {
      mayUseSecrets: canRevealSecret(request.principal, request.params.name),
    });
    return { status: 200, body: await healthCheckView(check), headers: { etag: etagOf(check.rev) } };
  }),

  implement(contracts.deleteHealthCheck, async (request) => {
    await deleteHealthCheck(request.params.name, request.params.id, commandContext(request));
    return { status: 204 };
  }),

  implement(contracts.runHealthCheck, async (request) => {
    const { check } = await readHealthCheck(request.params.name, request.params.id);
    const outcome = await runCheck(check, request.requestId);
    return { status: 200, body: outcome };
  }),

  implement(contracts.revealHealthCheckHeaders, async (request) => {
    const { headers, revealedAt } = await revealHealthCheckHeaders(request.params.name, request.params.id, commandContext(request));
    return {
      status: 200,
      body: { service: request.params.name, checkId: request.params.id, headers, revealedAt },
      headers: { 'cache-control': 'no-store' },
    };
  }),

  implement(contracts.listHealthCheckResults, async (request) => {
    const to = request.query.to ? new Date(request.query.to) : new Date();
    const from = request.query.from ? new Date(request.query.from) : new Date(to.getTime() - DAY_MS);
    if (from > to)
      throw new ValidationError('The window ends before it starts.', [{ pointer: '/query/from', message: 'must not be after `to`' }]);
    if (to.getTime() - from.getTime() > (RESULT_RETENTION_DAYS + 1) * DAY_MS) {
      throw new ValidationError('The window is too long.', [
        { pointer: '/query/from', message: `must be at most ${RESULT_RETENTION_DAYS + 1} days before \`to\`` },
      ]);
    }
    await readHealthCheck(request.params.name, request.params.id);
    const page = await listResults(request.params.id, { from, to, limit: request.query.limit, cursor: request.query.cursor });
    return { status: 200, body: page };
  }),
];

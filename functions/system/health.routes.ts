import { principalForAuthorization } from '#api-keys/public';
import { implement } from '#kernel/http/operation';
import * as contracts from './health.contract.ts';
import { runProbe } from './health.probes.ts';
import { DEEP_CHECKS, type DeepCheck } from './health.schema.ts';

const noStore = { 'cache-control': 'no-store' };

export const healthOperations = [
  implement(contracts.getLiveness, async () => ({ status: 200, body: { status: 'ok' }, headers: noStore })),

  // Public, so API Gateway runs no authorizer here: an admin's key is checked by the route itself
  // (API keys only: JWT verification would add jose to this function's bundle).
  implement(contracts.getDeepHealth, async ({ headers }) => {
    const [results, principal] = await Promise.all([
      Promise.all(DEEP_CHECKS.map((check) => runProbe(check))),
      principalForAuthorization(headers.authorization).catch(() => undefined),
    ]);
    const byCheck = Object.fromEntries(DEEP_CHECKS.map((check, index) => [check, results[index]])) as Record<
      DeepCheck,
      (typeof results)[number]
    >;
    const healthy = results.every((result) => result.status === 'ok');
    const checks = Object.fromEntries(DEEP_CHECKS.map((check) => [check, byCheck[check].status]));
    const isAdmin = principal?.role === 'admin' && principal.services === null;
    return {
      status: healthy ? 200 : 503,
      body: { status: healthy ? 'ok' : 'degraded', checks, ...(isAdmin ? { details: byCheck } : {}) },
      headers: noStore,
    };
  }),
];

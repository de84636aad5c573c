import { implement } from '#kernel/http/operation';
import { commandContext } from '#kernel/http/request-context';
import * as contracts from './migrations.contract.ts';
import { cancelMigration, planMigration, readMigration, startMigration } from './migrations.ts';

export const migrationOperations = [
  implement(contracts.createMigration, async (request) => ({
    status: 201,
    body: { ...(await planMigration(request.params.name, request.body, commandContext(request))), progress: null },
  })),

  implement(contracts.getMigrationPlan, async (request) => ({
    status: 200,
    body: await readMigration(request.params.name, request.params.id, commandContext(request)),
  })),

  implement(contracts.startMigrationPlan, async (request) => {
    await startMigration(request.params.name, request.params.id, commandContext(request));
    return { status: 200, body: await readMigration(request.params.name, request.params.id, commandContext(request)) };
  }),

  implement(contracts.cancelMigrationPlan, async (request) => ({
    status: 200,
    body: { ...(await cancelMigration(request.params.name, request.params.id, commandContext(request))), progress: null },
  })),
];

import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { LambdaClient, ResourceNotFoundException, TooManyRequestsException, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidName,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../functions/deployments/errors.ts';
import { checkGate, firingAlarms } from '../../functions/deployments/health-gate.ts';
import { lambdaAliasDriver, lambdaVersionOf } from '../../functions/deployments/drivers/lambda-alias-driver.ts';
import { StepFunctionsOrchestrator } from '../../functions/deployments/step-functions-orchestrator.ts';
import type { Deployment, Environment } from '../../functions/deployments/deployment.domain.ts';
import type { Runtime } from '../../local/runtime.ts';
import { startRuntime } from '../../local/runtime.ts';
import { finished, putEnvironment, serviceWithVersions, startDeployment } from '../helpers/deployments.ts';
import { type ApiClient, api, expectInvalid, expectNoServerErrors, expectProblem } from '../helpers/http-client.ts';
import { startVersionService } from '../helpers/weighted-router.ts';

/**
 * The AWS-only adapters of deployments, for the exact commands they send (aws-sdk-client-mock):
 * the lambda-alias traffic driver, the CloudWatch alarm reader of the health gate, and the Step
 * Functions orchestrator. The driver also runs a whole deployment in the local runtime.
 */

process.env.STEWARD_TIME_SCALE = '0.01';
process.env.AWS_REGION ??= 'eu-west-1';

const lambda = mockClient(LambdaClient);
const cloudwatch = mockClient(CloudWatchClient);
const sfn = mockClient(SFNClient);
const meta = { $metadata: {} };

let runtime: Runtime;
let client: ApiClient;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  client = api(runtime);
  await serviceWithVersions(client, 'orders-fn', [
    { version: '1.0.0', artifact: { type: 'lambda-version', uri: '7' } },
    { version: '2.0.0', artifact: { type: 'lambda-version', uri: 'arn:aws:lambda:eu-west-1:123456789012:function:orders:8' } },
    { version: '3.0.0', artifact: { type: 'container-image', uri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:3.0.0' } },
  ]);
});

afterAll(async () => {
  expectNoServerErrors(client?.log ?? []);
  await runtime?.close();
});

beforeEach(() => {
  lambda.reset();
  cloudwatch.reset();
  sfn.reset();
});

const aliasEnvironment = {
  service: 'orders-fn',
  name: 'prod',
  traffic: { driver: 'lambda-alias', functionName: 'orders', alias: 'live' },
} as unknown as Environment;

function shift(weights: Record<string, number>) {
  return lambdaAliasDriver.apply(
    { service: 'orders-fn', environment: 'prod', weights, revision: 2, deploymentId: '01J0000000000000000000TEST' },
    { environment: aliasEnvironment, deployment: null },
  );
}

/** The input of every UpdateAlias sent, in order. */
const aliasUpdates = () => lambda.commandCalls(UpdateAliasCommand).map((call) => call.args[0].input);

describe('the lambda-alias traffic driver', () => {
  it('keeps the version with the larger share as the alias version and sends the other as a fraction', async () => {
    // Prepare
    lambda.on(UpdateAliasCommand).resolves({});

    // Act
    await shift({ '1.0.0': 90, '2.0.0': 10 });

    // Assess
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 1);
    expect(aliasUpdates()).toEqual([
      { FunctionName: 'orders', Name: 'live', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } } },
    ]);
  });

  it('makes the new version the alias version once it has the larger share', async () => {
    // Prepare
    lambda.on(UpdateAliasCommand).resolves({});

    // Act
    await shift({ '1.0.0': 40, '2.0.0': 60 });

    // Assess
    expect(lambda).toHaveReceivedCommandExactlyOnceWith(UpdateAliasCommand, {
      FunctionName: 'orders',
      Name: 'live',
      FunctionVersion: '8',
      RoutingConfig: { AdditionalVersionWeights: { '7': 0.4 } },
    });
  });

  it('clears the additional weights at 100%', async () => {
    // Prepare
    lambda.on(UpdateAliasCommand).resolves({});

    // Act
    await shift({ '2.0.0': 100 });

    // Assess
    expect(aliasUpdates()).toEqual([
      { FunctionName: 'orders', Name: 'live', FunctionVersion: '8', RoutingConfig: { AdditionalVersionWeights: {} } },
    ]);
  });

  it('reads the Lambda version from a bare number or a qualified function ARN', async () => {
    // Act
    const bare = await lambdaVersionOf('orders-fn', '1.0.0');
    const qualified = await lambdaVersionOf('orders-fn', '2.0.0');

    // Assess
    expect([bare, qualified]).toEqual(['7', '8']);
  });

  it('refuses a version whose artifact names no Lambda version, sending nothing', async () => {
    // Act
    const attempt = shift({ '1.0.0': 90, '3.0.0': 10 });

    // Assess
    await expect(attempt).rejects.toThrow(/3\.0\.0 of orders-fn has no artifact of type lambda-version/);
    expect(lambda).not.toHaveReceivedCommand(UpdateAliasCommand);
  });

  it('turns throttling into a TransientError (retried) and a missing function into a plain error (rolled back)', async () => {
    // Prepare
    lambda
      .on(UpdateAliasCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', ...meta }))
      .rejectsOnce(new ResourceNotFoundException({ message: 'Function not found: orders', ...meta }));

    // Act
    const throttled = await shift({ '2.0.0': 100 }).catch((error: unknown) => error);
    const missing = await shift({ '2.0.0': 100 }).catch((error: unknown) => error);

    // Assess
    expect(throttled).toBeInstanceOf(TransientError);
    expect((throttled as Error).name).toBe('TransientError');
    expect(missing).not.toBeInstanceOf(TransientError);
    expect((missing as Error).name).toBe('ResourceNotFoundException');
  });

  it('drives a whole canary in the local runtime: the alias moves 7 → 7+8@10% → 8, and a rollback puts 7 back', async () => {
    // Prepare
    lambda.on(UpdateAliasCommand).resolves({});
    await putEnvironment(client, 'orders-fn', 'prod', { traffic: { driver: 'lambda-alias', functionName: 'orders', alias: 'live' } });
    const promoted = await client.post('/v1/services/orders-fn/environments/prod/promote', { version: '1.0.0' });
    expect((await finished(client, 'orders-fn', promoted.json.id)).status).toBe('succeeded');

    // Act
    const started = await startDeployment(client, 'orders-fn', {
      environment: 'prod',
      version: '2.0.0',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 1 },
    });
    const done = await finished(client, 'orders-fn', started.id);
    const rolledBack = await client.post(`/v1/services/orders-fn/deployments/${started.id}/rollback`);

    // Assess
    expect(done.status).toBe('succeeded');
    expect(rolledBack.status, rolledBack.text).toBe(200);
    const alias = { FunctionName: 'orders', Name: 'live' };
    expect(aliasUpdates()).toEqual([
      { ...alias, FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } },
      { ...alias, FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } } },
      { ...alias, FunctionVersion: '8', RoutingConfig: { AdditionalVersionWeights: {} } },
      { ...alias, FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } },
    ]);
  });

  it('refuses, at PUT environment, a function the stack may not update when the stack names its functions', async () => {
    // Prepare
    process.env.LAMBDA_ALIAS_FUNCTIONS = 'orders,payments';

    // Act
    try {
      const refused = await client.request('PUT', '/v1/services/orders-fn/environments/staging', {
        traffic: { driver: 'lambda-alias', functionName: 'billing', alias: 'live' },
      });
      const allowed = await client.request('PUT', '/v1/services/orders-fn/environments/staging', {
        traffic: { driver: 'lambda-alias', functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:payments', alias: 'live' },
      });

      // Assess
      expectInvalid(refused, '/body/traffic/functionName');
      expect(allowed.status, allowed.text).toBe(201);
    } finally {
      delete process.env.LAMBDA_ALIAS_FUNCTIONS;
    }
  });
});

describe('the CloudWatch alarm reader of the health gate', () => {
  it('asks for the named alarms in ALARM and answers the names of those firing', async () => {
    // Prepare
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolves({ MetricAlarms: [{ AlarmName: 'orders-5xx' }], CompositeAlarms: [{ AlarmName: 'orders-health' }] });

    // Act
    const firing = await firingAlarms(['orders-5xx', 'orders-latency', 'orders-health']);

    // Assess
    expect(firing).toEqual(['orders-5xx', 'orders-health']);
    expect(cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: ['orders-5xx', 'orders-latency', 'orders-health'],
      StateValue: 'ALARM',
    });
  });

  it('sends nothing when the gate names no alarms', async () => {
    // Act
    const firing = await firingAlarms([]);

    // Assess
    expect(firing).toEqual([]);
    expect(cloudwatch).not.toHaveReceivedCommand(DescribeAlarmsCommand);
  });

  it('fails the gate on a firing alarm, with the alarm as evidence', async () => {
    // Prepare
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'orders-5xx' }] });

    // Act
    const result = await checkGate({ alarms: ['orders-5xx', 'orders-latency'] });

    // Assess
    expect(result).toMatchObject({ passed: false, probes: null, alarms: { firing: ['orders-5xx'] } });
  });

  it('passes the gate when no named alarm is in ALARM', async () => {
    // Prepare
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });

    // Act
    const result = await checkGate({ alarms: ['orders-5xx'] });

    // Assess
    expect(result).toMatchObject({ passed: true, alarms: { firing: [] } });
  });

  it('fails closed when the alarms cannot be read', async () => {
    // Prepare
    cloudwatch.on(DescribeAlarmsCommand).rejects(new Error('AccessDenied: not authorized to perform cloudwatch:DescribeAlarms'));

    // Act
    const result = await checkGate({ alarms: ['orders-5xx'] });

    // Assess
    expect(result.passed).toBe(false);
    expect(result.alarms?.firing[0]).toMatch(/^could not read alarms: AccessDenied/);
  });

  it('fails the gate on a firing alarm even when the probes succeed', async () => {
    // Prepare
    const healthy = await startVersionService('2.0.0');
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'orders-5xx' }] });

    // Act
    const result = await checkGate({ probe: { url: healthy.healthUrl }, alarms: ['orders-5xx'] }).finally(() => healthy.close());

    // Assess
    expect(result.probes).toMatchObject({ ok: 3, total: 3, failures: [] });
    expect(result.alarms).toEqual({ firing: ['orders-5xx'] });
    expect(result.passed).toBe(false);
  });

  it('rolls a canary back when an alarm fires during its bake, naming the alarm', async () => {
    // Prepare
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'orders-5xx' }] });
    lambda.on(UpdateAliasCommand).resolves({});
    await serviceWithVersions(client, 'alarmed-fn', [
      { version: '1.0.0', artifact: { type: 'lambda-version', uri: '3' } },
      { version: '2.0.0', artifact: { type: 'lambda-version', uri: '4' } },
    ]);
    await putEnvironment(client, 'alarmed-fn', 'prod', { traffic: { driver: 'lambda-alias', functionName: 'alarmed', alias: 'live' } });
    const promoted = await client.post('/v1/services/alarmed-fn/environments/prod/promote', { version: '1.0.0' });
    await finished(client, 'alarmed-fn', promoted.json.id);

    // Act
    const started = await startDeployment(client, 'alarmed-fn', {
      environment: 'prod',
      version: '2.0.0',
      strategy: { type: 'canary', percent: 10, bakeMinutes: 1 },
      healthGate: { alarms: ['orders-5xx'] },
    });
    const done = await finished(client, 'alarmed-fn', started.id);

    // Assess
    expect(done.status).toBe('rolled_back');
    expect(done.failureReason).toMatch(/alarms in ALARM: orders-5xx/);
    expect(aliasUpdates().at(-1)).toEqual({
      FunctionName: 'alarmed',
      Name: 'live',
      FunctionVersion: '3',
      RoutingConfig: { AdditionalVersionWeights: {} },
    });
  });
});

describe('a lambda-alias environment', () => {
  it('refuses, before the 202, a version whose artifact names no Lambda version: 409 saying what to register', async () => {
    // Prepare
    await putEnvironment(client, 'orders-fn', 'sandbox', { traffic: { driver: 'lambda-alias', functionName: 'orders', alias: 'live' } });

    // Act
    const refused = await client.post('/v1/services/orders-fn/deployments', {
      environment: 'sandbox',
      version: '3.0.0',
      strategy: { type: 'all-at-once' },
    });

    // Assess
    const problem = expectProblem(refused, 409);
    expect(problem.detail).toMatch(/version 3\.0\.0 names no Lambda version/);
    expect(problem.detail).toContain('"artifact": {"type": "lambda-version"');
    expect(problem.detail).not.toMatch(/\bError\b/);
    expect(lambda).not.toHaveReceivedCommand(UpdateAliasCommand);
    const environment = await client.get('/v1/services/orders-fn/environments/sandbox');
    expect(environment.json.activeDeployment).toBeNull();
  });
});

describe('the Step Functions orchestrator', () => {
  const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:steward-prod-deployments';
  const deployment = { id: '01J9ZQ4V7K3M8N2P5R6S7T8V9W', service: 'orders-api', environment: 'prod' } as Deployment;

  it('starts an execution named after the deployment, with the deployment as input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });

    // Act
    const outcome = await new StepFunctionsOrchestrator(STATE_MACHINE).start(deployment);

    // Assess
    expect(outcome).toBe('started');
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const input = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(input).toEqual({ stateMachineArn: STATE_MACHINE, name: deployment.id, input: expect.any(String) });
    expect(JSON.parse(input?.input as string)).toEqual({ deploymentId: deployment.id, service: 'orders-api', environment: 'prod' });
  });

  for (const [status, outcome] of [
    ['RUNNING', 'running'],
    ['SUCCEEDED', 'ended'],
    ['FAILED', 'ended'],
    ['ABORTED', 'ended'],
  ] as const) {
    it(`on ExecutionAlreadyExists asks whether that execution runs, and finds it ${outcome} (${status}): never two`, async () => {
      // Prepare
      sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', ...meta }));
      sfn.on(DescribeExecutionCommand).resolves({ status, executionArn: 'arn', stateMachineArn: STATE_MACHINE, startDate: new Date() });

      // Act
      const attempt = new StepFunctionsOrchestrator(STATE_MACHINE).start(deployment);

      // Assess
      await expect(attempt).resolves.toBe(outcome);
      expect(sfn).toHaveReceivedCommandExactlyOnceWith(DescribeExecutionCommand, {
        executionArn: `arn:aws:states:eu-west-1:123456789012:execution:steward-prod-deployments:${deployment.id}`,
      });
    });
  }

  it('passes on any other failure to start', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new InvalidName({ message: 'Invalid Name', ...meta }));

    // Act
    const attempt = new StepFunctionsOrchestrator(STATE_MACHINE).start(deployment);

    // Assess
    await expect(attempt).rejects.toThrow('Invalid Name');
  });

  it('stops the execution whose ARN it derives from the state machine ARN and the deployment id', async () => {
    // Prepare
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });

    // Act
    await new StepFunctionsOrchestrator(STATE_MACHINE).stop(deployment, 'Cancelled by ops');

    // Assess
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StopExecutionCommand, {
      executionArn: `arn:aws:states:eu-west-1:123456789012:execution:steward-prod-deployments:${deployment.id}`,
      cause: 'Cancelled by ops',
      error: 'Cancelled',
    });
  });

  it('treats stopping an execution that does not exist as done', async () => {
    // Prepare
    sfn.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', ...meta }));

    // Act
    const attempt = new StepFunctionsOrchestrator(STATE_MACHINE).stop(deployment, 'Cancelled by ops');

    // Assess
    await expect(attempt).resolves.toBeUndefined();
  });
});

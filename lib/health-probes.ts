import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { PROBE_SECRET } from '#system/health.probes';
import type { StewardFunction } from './constructs/steward-function.ts';
import type { SecretValues } from './secret-values.ts';

/**
 * What `/health/deep` (functions/system/health.probes.ts) may ask, and nothing more: describe the
 * deployment state machine, read the topic's attributes, and read one secret that never exists
 * (Secrets Manager answers ResourceNotFoundException, which proves it answers and IAM lets us ask).
 */
export function grantHealthProbes(
  fn: StewardFunction,
  props: { stateMachine: IStateMachine; topic: ITopic; secretValues: SecretValues },
): void {
  fn.addEnvironment('STATE_MACHINE_ARN', props.stateMachine.stateMachineArn);
  fn.addEnvironment('NOTIFICATION_TOPIC_ARN', props.topic.topicArn);
  fn.addEnvironment('SECRETS_PREFIX', props.secretValues.prefix);
  const probeSecretArn = Stack.of(fn).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${props.secretValues.prefix}${PROBE_SECRET.service}/${PROBE_SECRET.environment}/${PROBE_SECRET.name}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.addPolicy(
    'HealthProbes',
    [
      new PolicyStatement({ actions: ['states:DescribeStateMachine'], resources: [props.stateMachine.stateMachineArn] }),
      new PolicyStatement({ actions: ['sns:GetTopicAttributes'], resources: [props.topic.topicArn] }),
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [probeSecretArn] }),
    ],
    [
      {
        resource: probeSecretArn,
        reason:
          'The deep health probe reads one secret name that is never created; the wildcard stands only for the random suffix Secrets Manager would add to its ARN.',
      },
    ],
  );
}

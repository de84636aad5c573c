import { LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { TransientError } from '../errors.ts';
import type { TrafficDriver } from '../traffic-driver.ts';
import { lambdaVersionNumber } from '../deployment.domain.ts';
import { parseSemVer, precedenceKey } from '#services/semver.domain';
import { getVersion } from '#services/public';

let lambda: LambdaClient | undefined;
function client(): LambdaClient {
  lambda ??= new LambdaClient({});
  return lambda;
}

/** The Lambda version a Steward version deploys: its artifact `{ type: "lambda-version", uri: "7" | "<function ARN>:7" }`. */
export async function lambdaVersionOf(service: string, version: string): Promise<string> {
  const parsed = parseSemVer(version);
  const found = parsed.ok ? await getVersion(service, precedenceKey(parsed.value)) : undefined;
  const number = lambdaVersionNumber(found?.artifact);
  if (!number) throw new Error(`Version ${version} of ${service} has no artifact of type lambda-version naming a Lambda version.`);
  return number;
}

/**
 * Shifts a Lambda alias: the version with the larger share is the alias's primary version, the
 * other goes into RoutingConfig.AdditionalVersionWeights with its share as a fraction.
 */
export const lambdaAliasDriver: TrafficDriver = {
  async apply(change, { environment }) {
    if (environment.traffic.driver !== 'lambda-alias') throw new Error('the lambda-alias driver needs a lambda-alias traffic config');
    const ranked = Object.entries(change.weights)
      .filter(([, weight]) => weight > 0)
      .sort(([, a], [, b]) => b - a);
    if (ranked.length === 0) return;
    const [primary, ...others] = ranked as [[string, number], ...Array<[string, number]>];
    const primaryVersion = await lambdaVersionOf(change.service, primary[0]);
    const additional: Record<string, number> = {};
    for (const [version, weight] of others) additional[await lambdaVersionOf(change.service, version)] = weight / 100;
    try {
      await client().send(
        new UpdateAliasCommand({
          FunctionName: environment.traffic.functionName,
          Name: environment.traffic.alias,
          FunctionVersion: primaryVersion,
          RoutingConfig: { AdditionalVersionWeights: additional },
        }),
      );
    } catch (error) {
      const name = (error as Error).name;
      if (['TooManyRequestsException', 'ServiceException', 'ResourceConflictException', 'TimeoutError'].includes(name)) {
        throw new TransientError(`Lambda UpdateAlias failed (${name}); retrying.`);
      }
      throw error;
    }
  },
};

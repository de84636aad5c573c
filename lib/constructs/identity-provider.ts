import { CfnOutput, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccountRecovery, CfnUserPoolGroup, Mfa, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DEFAULT_ROLE_MAP } from '#identity/jwt.domain';

export interface IdentityProviderProps {
  stage: string;
  removalPolicy: RemovalPolicy;
  /**
   * An OIDC issuer named in CDK context (`jwtIssuer`, `jwtAudience`, optional `jwtRolesClaim`,
   * `jwtRoleMap` as JSON, `jwtJwksUrl`); without one, a Cognito user pool is made here.
   */
  context: { issuer?: string; audience?: string; rolesClaim?: string; roleMap?: string; jwksUrl?: string };
}

/**
 * JWT sign-in on AWS (issue 12): the settings the authorizers read (functions/identity/jwt.ts:
 * STEWARD_JWT_*), for any OIDC issuer named in context, or for a Cognito user pool the stack
 * creates with one group per Steward role (`steward-admin`, `steward-deployer`, `steward-viewer`,
 * `steward-ingest`; the ID token's `cognito:groups` claim). The token is verified by the same
 * Lambda authorizer that checks API keys: an HTTP API route takes one authorizer, and both kinds
 * of credential must work on every route.
 */
export class IdentityProvider extends Construct {
  readonly environment: Record<string, string>;
  readonly userPool?: UserPool;
  readonly client?: UserPoolClient;

  constructor(scope: Construct, id: string, props: IdentityProviderProps) {
    super(scope, id);
    const { context } = props;
    if (context.issuer) {
      if (!context.audience) throw new Error('CDK context jwtIssuer needs jwtAudience (the client id your tokens are issued for)');
      this.environment = {
        STEWARD_JWT_ISSUER: context.issuer,
        STEWARD_JWT_AUDIENCE: context.audience,
        STEWARD_JWT_ROLES_CLAIM: context.rolesClaim ?? 'groups',
        ...(context.roleMap ? { STEWARD_JWT_ROLE_MAP: context.roleMap } : {}),
        ...(context.jwksUrl ? { STEWARD_JWT_JWKS_URL: context.jwksUrl } : {}),
      };
      return;
    }
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `steward-${props.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      removalPolicy: props.removalPolicy,
    });
    for (const id of ['AwsSolutions-COG3', 'AwsSolutions-COG8']) {
      Validations.of(this.userPool).acknowledge({
        id,
        reason:
          'Threat protection (advanced security) needs the Plus feature plan, a cost the operator chooses; sign-up is closed (admins create users), MFA is required and passwords are strong.',
      });
    }
    this.client = this.userPool.addClient('Client', {
      userPoolClientName: `steward-${props.stage}`,
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
    });
    for (const group of Object.keys(DEFAULT_ROLE_MAP)) {
      new CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description: `Steward role ${DEFAULT_ROLE_MAP[group]}`,
      });
    }
    const issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.environment = {
      STEWARD_JWT_ISSUER: issuer,
      STEWARD_JWT_AUDIENCE: this.client.userPoolClientId,
      STEWARD_JWT_ROLES_CLAIM: 'cognito:groups',
    };
    new CfnOutput(Stack.of(this), 'UserPoolId', {
      description: 'Cognito user pool for JWT sign-in (groups steward-admin, …)',
      value: this.userPool.userPoolId,
    });
    new CfnOutput(Stack.of(this), 'UserPoolClientId', {
      description: 'The app client whose ID tokens Steward accepts',
      value: this.client.userPoolClientId,
    });
  }

  /** Tells a function (an authorizer) how to verify tokens. */
  configure(fn: IFunction & { addEnvironment(key: string, value: string): unknown }): void {
    for (const [name, value] of Object.entries(this.environment)) fn.addEnvironment(name, value);
  }
}

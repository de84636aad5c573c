import { Aws, CfnOutput, Duration, Lazy, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DEFAULT_ROLE_MAP } from '#identity/jwt.domain';
import { CONSOLE_SIGN_IN_SCOPES, type ConsoleSignIn } from '../console-policy.ts';

export interface IdentityProviderProps {
  stage: string;
  removalPolicy: RemovalPolicy;
  /**
   * An OIDC issuer named in CDK context (`jwtIssuer`, `jwtAudience`, optional `jwtRolesClaim`,
   * `jwtRoleMap` as JSON, `jwtJwksUrl`), and how the web console signs in with it
   * (`consoleClientId`, `authorizationEndpoint`, `tokenEndpoint`, all three or none); without an
   * issuer, a Cognito user pool is made here, with a hosted sign-in domain (`cognitoDomainPrefix`,
   * default `steward-<stage>-<account id>`).
   */
  context: {
    issuer?: string;
    audience?: string;
    rolesClaim?: string;
    roleMap?: string;
    jwksUrl?: string;
    consoleClientId?: string;
    authorizationEndpoint?: string;
    tokenEndpoint?: string;
    cognitoDomainPrefix?: string;
  };
}

/**
 * JWT sign-in on AWS (issue 12): the settings the authorizers read (functions/identity/jwt.ts:
 * STEWARD_JWT_*), for any OIDC issuer named in context, or for a Cognito user pool the stack
 * creates with one group per Steward role (`steward-admin`, `steward-deployer`, `steward-viewer`,
 * `steward-ingest`; the ID token's `cognito:groups` claim), a hosted sign-in domain and, once
 * the console is added, a public app client for it (Authorization Code with PKCE). The token is
 * verified by the same Lambda authorizer that checks API keys: an HTTP API route takes one
 * authorizer, and both kinds of credential must work on every route (docs/deploy.md).
 */
export class IdentityProvider extends Construct {
  readonly userPool?: UserPool;
  /** The pool's first client (sign-in by SRP, from scripts and tools). */
  readonly client?: UserPoolClient;
  /** The pool's hosted sign-in domain, where the console sends people to sign in. */
  readonly domain?: UserPoolDomain;
  /** The console's app client, once `addConsole` made it. */
  consoleClient?: UserPoolClient;
  /**
   * The token endpoint the console posts to (its origin goes into the console's CSP), known before
   * the console is added; undefined when the console cannot sign in with this issuer.
   */
  readonly tokenEndpoint?: string;
  private readonly stage: string;
  private readonly issuer: string;
  private readonly baseEnvironment: Record<string, string>;
  /** The client ids whose ID tokens Steward accepts (STEWARD_JWT_AUDIENCE, comma-separated). */
  private readonly audiences: string[] = [];
  private readonly external?: { clientId: string; authorizationEndpoint: string; tokenEndpoint: string };

  constructor(scope: Construct, id: string, props: IdentityProviderProps) {
    super(scope, id);
    const { context } = props;
    this.stage = props.stage;
    if (context.issuer) {
      if (!context.audience) throw new Error('CDK context jwtIssuer needs jwtAudience (the client id your tokens are issued for)');
      this.issuer = context.issuer;
      this.audiences.push(context.audience);
      this.baseEnvironment = {
        STEWARD_JWT_ISSUER: context.issuer,
        STEWARD_JWT_ROLES_CLAIM: context.rolesClaim ?? 'groups',
        ...(context.roleMap ? { STEWARD_JWT_ROLE_MAP: context.roleMap } : {}),
        ...(context.jwksUrl ? { STEWARD_JWT_JWKS_URL: context.jwksUrl } : {}),
      };
      const named = {
        consoleClientId: context.consoleClientId,
        authorizationEndpoint: context.authorizationEndpoint,
        tokenEndpoint: context.tokenEndpoint,
      };
      const given = Object.entries(named).filter(([, value]) => value);
      if (given.length > 0 && given.length < 3) {
        const missing = Object.entries(named)
          .filter(([, value]) => !value)
          .map(([key]) => key);
        throw new Error(
          `The console signs in with jwtIssuer given consoleClientId, authorizationEndpoint and tokenEndpoint together; missing: ${missing.join(', ')}`,
        );
      }
      if (given.length === 3) {
        for (const key of ['authorizationEndpoint', 'tokenEndpoint'] as const) {
          if (!/^https:\/\/[^/\s]+\/\S*$/.test(named[key] ?? '')) throw new Error(`CDK context ${key} must be an https URL`);
        }
        this.external = {
          clientId: named.consoleClientId as string,
          authorizationEndpoint: named.authorizationEndpoint as string,
          tokenEndpoint: named.tokenEndpoint as string,
        };
        this.tokenEndpoint = this.external.tokenEndpoint;
      }
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
      // Sign-in by SRP only: no OAuth flows (CDK's default would allow the implicit flow through the hosted domain).
      disableOAuth: true,
      generateSecret: false,
      preventUserExistenceErrors: true,
    });
    this.audiences.push(this.client.userPoolClientId);
    for (const group of Object.keys(DEFAULT_ROLE_MAP)) {
      new CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description: `Steward role ${DEFAULT_ROLE_MAP[group]}`,
      });
    }
    const domainPrefix = cognitoDomainPrefix(props.stage, context.cognitoDomainPrefix);
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });
    // Built from the prefix rather than read from the domain resource, so the console's CSP does not wait for it.
    this.tokenEndpoint = `${hostedDomainUrl(domainPrefix)}/oauth2/token`;
    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.baseEnvironment = { STEWARD_JWT_ISSUER: this.issuer, STEWARD_JWT_ROLES_CLAIM: 'cognito:groups' };
    new CfnOutput(Stack.of(this), 'UserPoolId', {
      description: 'Cognito user pool for JWT sign-in (groups steward-admin, …)',
      value: this.userPool.userPoolId,
    });
    new CfnOutput(Stack.of(this), 'UserPoolClientId', {
      description: 'The app client whose ID tokens Steward accepts (sign-in by SRP)',
      value: this.client.userPoolClientId,
    });
  }

  /** The settings the authorizers read, the audiences (clients) included. */
  get environment(): Record<string, string> {
    return {
      ...this.baseEnvironment,
      STEWARD_JWT_AUDIENCE: Lazy.string({ produce: () => this.audiences.join(',') }),
    };
  }

  /**
   * The web console as a client of this issuer, signing people in at `consoleUrl` (its callback
   * and logout URL): with the Cognito pool, a public app client (no secret) for the Authorization
   * Code flow with PKCE, scopes openid, email and profile; with a named issuer, the client named in
   * context. Its ID tokens are accepted from then on. Returns config.json's `signIn`, or null when
   * the issuer named in context has no console client.
   */
  addConsole(consoleUrl: string): ConsoleSignIn | null {
    const scopes = [...CONSOLE_SIGN_IN_SCOPES];
    if (this.external) {
      if (!this.audiences.includes(this.external.clientId)) this.audiences.push(this.external.clientId);
      return { issuer: this.issuer, clientId: this.external.clientId, ...this.endpoints(), scopes };
    }
    if (!this.userPool || !this.domain) return null;
    if (this.consoleClient) throw new Error('the console is added once');
    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: `steward-${this.stage}-console`,
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // A working day; the console keeps its tokens for the browser tab only.
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });
    this.audiences.push(this.consoleClient.userPoolClientId);
    new CfnOutput(Stack.of(this), 'ConsoleClientId', {
      description: "The web console's app client (Authorization Code with PKCE, no secret)",
      value: this.consoleClient.userPoolClientId,
    });
    return { issuer: this.issuer, clientId: this.consoleClient.userPoolClientId, ...this.endpoints(), scopes };
  }

  private endpoints(): Pick<ConsoleSignIn, 'authorizationEndpoint' | 'tokenEndpoint'> {
    if (this.external) return { authorizationEndpoint: this.external.authorizationEndpoint, tokenEndpoint: this.external.tokenEndpoint };
    const base = (this.domain as UserPoolDomain).baseUrl();
    return { authorizationEndpoint: `${base}/oauth2/authorize`, tokenEndpoint: `${base}/oauth2/token` };
  }

  /** Tells a function (an authorizer) how to verify tokens. */
  configure(fn: IFunction & { addEnvironment(key: string, value: string): unknown }): void {
    for (const [name, value] of Object.entries(this.environment)) fn.addEnvironment(name, value);
  }
}

/**
 * The hosted sign-in domain's prefix: from context, or `steward-<stage>-<account id>` (unique
 * per account and region, as Cognito requires). Lowercase letters, digits and hyphens, and
 * Cognito refuses prefixes containing aws, amazon or cognito.
 */
export function cognitoDomainPrefix(stage: string, given?: string): string {
  if (given === undefined) return `steward-${stage}-${Aws.ACCOUNT_ID}`;
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(given) || /aws|amazon|cognito/.test(given)) {
    throw new Error(
      `CDK context cognitoDomainPrefix "${given}" must be lowercase letters, digits and hyphens (1-63, not starting or ending with one) and may not contain aws, amazon or cognito`,
    );
  }
  return given;
}

/** https://<prefix>.auth.<region>.amazoncognito.com */
function hostedDomainUrl(prefix: string): string {
  return `https://${prefix}.auth.${Aws.REGION}.amazoncognito.com`;
}

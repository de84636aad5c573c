import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtSettingsFrom, principalFromClaims, roleFromClaims } from '../../functions/identity/jwt.domain.ts';
import { configureJwt, principalForJwt } from '../../functions/identity/jwt.ts';
import { devIssuerKeys } from '../../local/dev-issuer.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { type ApiClient, api, expectProblem } from '../helpers/http-client.ts';
import { connectStream } from '../helpers/stream-client.ts';

/** JWT sign-in (issue 12 item 5): the local development issuer, verified with jose, beside API keys. */

let runtime: Runtime;
let client: ApiClient;

beforeAll(async () => {
  runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000, devIssuer: true });
  client = api(runtime);
});

afterAll(async () => {
  await runtime?.close();
});

const issuer = () => {
  if (!runtime.devIssuer) throw new Error('the development issuer is off');
  return runtime.devIssuer;
};

/** A token signed by another key: with the issuer's kid (a forged signature), or with a kid of its own. */
async function foreignToken(kid: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ sub: 'mallory', groups: ['steward-admin'] })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer(issuer().issuer)
    .setAudience(issuer().audience)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
}

describe('a token from the identity provider', () => {
  it('authenticates like a key: its groups give the role, its subject names the caller', async () => {
    const token = await issuer().sign({ sub: 'alice', email: 'alice@example.com', groups: ['steward-deployer'] });
    const read = await client.get('/v1/services', { key: token });
    expect(read.status, read.text).toBe(200);
    const write = await client.post('/v1/services', { name: 'jwt-made', kind: 'api' }, { key: token });
    expect(expectProblem(write, 403).detail).toBe('This needs the admin role; key "alice@example.com" has deployer.');
    const admin = await issuer().sign({ sub: 'bob', groups: ['steward-viewer', 'steward-admin'] });
    expect((await client.post('/v1/services', { name: 'jwt-made', kind: 'api' }, { key: admin })).status).toBe(201);
    // The audit trail names the subject.
    const trail = await client.get('/v1/audit', { query: { service: 'jwt-made' } });
    expect(trail.json.items[0].actor).toEqual({ keyId: 'jwt:bob', name: 'bob' });
  });

  it('works on the stream too', async () => {
    const token = await issuer().sign({ sub: 'carol', groups: ['steward-viewer'] });
    const stream = await connectStream(runtime.url, { key: token, topics: 'alerts' });
    await stream.next((message) => message.type === 'subscribed');
    stream.close();
  });

  it.each([
    [
      'a wrong issuer',
      () => issuer().sign({ sub: 'x', groups: ['steward-admin'] }, { issuer: 'https://evil.example.com' }),
      'not issued by the identity provider',
    ],
    [
      'a wrong audience',
      () => issuer().sign({ sub: 'x', groups: ['steward-admin'] }, { audience: 'someone-else' }),
      'not meant for Steward',
    ],
    [
      'an expired token',
      () => issuer().sign({ sub: 'x', groups: ['steward-admin'] }, { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
      'has expired',
    ],
    ['a bad signature', () => foreignToken(String(issuer().jwks.keys[0]?.kid)), 'signature does not verify'],
    ['an unknown kid', () => foreignToken('not-a-known-kid'), 'signing key (kid) is not one of'],
    ['no Steward group', () => issuer().sign({ sub: 'x', groups: ['marketing'] }), 'names no Steward role'],
  ])('refuses %s: 401 saying why', async (_case, token, reason) => {
    const response = await client.get('/v1/services', { key: await token() });
    expect(expectProblem(response, 401).detail).toContain(reason);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('API keys keep working beside it', async () => {
    expect((await client.get('/v1/services')).status).toBe(200);
  });

  it('accepts any of several audiences (comma-separated: on AWS the SRP client and the console client), and no other', async () => {
    configureJwt({ settings: { ...issuer().settings, audience: 'steward-srp, steward-console' }, keys: devIssuerKeys(issuer()).keys });
    try {
      for (const audience of ['steward-srp', 'steward-console']) {
        const principal = await principalForJwt(await issuer().sign({ sub: 'dana', groups: ['steward-viewer'] }, { audience }));
        expect(principal, audience).toMatchObject({ keyId: 'jwt:dana', role: 'viewer' });
      }
      const other = await principalForJwt(await issuer().sign({ sub: 'dana', groups: ['steward-viewer'] }, { audience: 'steward' }));
      expect(other).toEqual({ reason: 'The token is not meant for Steward (audience).' });
    } finally {
      configureJwt(devIssuerKeys(issuer()));
    }
  });
});

describe('role mapping from a configurable claim', () => {
  const settings = jwtSettingsFrom({
    STEWARD_JWT_ISSUER: 'https://idp.example.com',
    STEWARD_JWT_AUDIENCE: 'steward',
    STEWARD_JWT_ROLES_CLAIM: 'cognito:groups',
    STEWARD_JWT_ROLE_MAP: '{"platform-team":"admin","release-managers":"deployer"}',
    STEWARD_JWT_SERVICES_CLAIM: 'services',
  });

  it("reads the settings, with the JWKS at the issuer's well-known URL", () => {
    expect(settings).toMatchObject({
      issuer: 'https://idp.example.com',
      jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
      rolesClaim: 'cognito:groups',
    });
    expect(jwtSettingsFrom({})).toBeUndefined();
    expect(() => jwtSettingsFrom({ STEWARD_JWT_ISSUER: 'https://idp.example.com' })).toThrow(/AUDIENCE/);
    expect(() => jwtSettingsFrom({ STEWARD_JWT_ISSUER: 'i', STEWARD_JWT_AUDIENCE: 'a', STEWARD_JWT_ROLE_MAP: '{"g":"root"}' })).toThrow(
      /not a role/,
    );
  });

  it('maps groups to the highest role they name; a group named like a role is that role', () => {
    if (!settings) throw new Error('no settings');
    expect(roleFromClaims({ 'cognito:groups': ['release-managers'] }, settings)).toBe('deployer');
    expect(roleFromClaims({ 'cognito:groups': ['release-managers', 'platform-team'] }, settings)).toBe('admin');
    expect(roleFromClaims({ 'cognito:groups': 'viewer other' }, settings)).toBe('viewer');
    expect(roleFromClaims({ 'cognito:groups': ['steward-ingest'] }, settings)).toBe('ingest');
    expect(roleFromClaims({ groups: ['platform-team'] }, settings)).toBeUndefined(); // another claim
    expect(principalFromClaims({ sub: 's1', 'cognito:groups': ['release-managers'], services: ['payments-api'] }, settings)).toEqual({
      keyId: 'jwt:s1',
      name: 's1',
      role: 'deployer',
      services: ['payments-api'],
    });
  });
});

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEV_AUDIENCE, type DevIssuer } from './dev-issuer.ts';

/**
 * The development issuer's sign-in (docs/architecture.md §2), so that the console's
 * Authorization Code flow with PKCE runs locally as it does against Cognito's hosted domain:
 * `GET /dev-issuer/authorize` shows a form asking who to sign in as (no password: it is the
 * development issuer, like `npm run dev-token`), its POST redirects to the console with a code,
 * and `POST /dev-issuer/token` exchanges the code and its PKCE verifier for an ID token. Only
 * the console at this server's own `/console/` may be redirected to; codes are single-use and
 * expire after a minute. On only with the development issuer (STEWARD_DEV_ISSUER=1).
 */

export const DEV_SIGN_IN_PATHS = { authorize: '/dev-issuer/authorize', token: '/dev-issuer/token' } as const;

const CODE_TTL_MS = 60_000;
const TOKEN_TTL_SECONDS = 3600;
/** RFC 7636: a verifier, and an S256 challenge, are 43-128 unreserved characters. */
const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

interface PendingCode {
  challenge: string;
  redirectUri: string;
  subject: string;
  groups: string[];
  nonce?: string;
  scope: string;
  expiresAt: number;
}

interface AuthorizationRequest {
  redirectUri: string;
  challenge: string;
  state?: string;
  nonce?: string;
  scope: string;
}

export interface DevSignIn {
  /** Answers the request when it is one of the sign-in paths; false otherwise. */
  serve(request: IncomingMessage, response: ServerResponse, body: Buffer, origin: string): Promise<boolean>;
}

export function devSignIn(issuer: DevIssuer): DevSignIn {
  const codes = new Map<string, PendingCode>();

  /** The authorization request's parameters, or why they are refused (shown, never redirected: RFC 6749 §4.1.2.1). */
  function authorizationRequest(params: URLSearchParams, origin: string): AuthorizationRequest | { error: string } {
    const get = (name: string) => params.get(name) ?? '';
    if (get('client_id') !== DEV_AUDIENCE) return { error: `client_id must be "${DEV_AUDIENCE}", the development issuer's one client.` };
    const redirectUri = get('redirect_uri');
    if (redirectUri !== `${origin}/console/`) return { error: `redirect_uri must be this server's console, ${origin}/console/.` };
    if (get('response_type') !== 'code') return { error: 'response_type must be "code".' };
    if (get('code_challenge_method') !== 'S256' || !PKCE_VALUE.test(get('code_challenge'))) {
      return { error: 'PKCE is required: code_challenge (S256 of the verifier, base64url) and code_challenge_method=S256.' };
    }
    return {
      redirectUri,
      challenge: get('code_challenge'),
      state: params.get('state') ?? undefined,
      nonce: params.get('nonce') ?? undefined,
      scope: get('scope') || 'openid',
    };
  }

  async function token(form: URLSearchParams, origin: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const refuse = (error: string, description: string) => ({ status: 400, body: { error, error_description: description } });
    if (form.get('grant_type') !== 'authorization_code') return refuse('unsupported_grant_type', 'Only authorization_code is supported.');
    const code = form.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code);
    if (!pending || pending.expiresAt < Date.now()) return refuse('invalid_grant', 'Unknown, used or expired code.');
    if (form.get('client_id') !== DEV_AUDIENCE) return refuse('invalid_client', `client_id must be "${DEV_AUDIENCE}".`);
    if (form.get('redirect_uri') !== pending.redirectUri || !pending.redirectUri.startsWith(`${origin}/`)) {
      return refuse('invalid_grant', 'redirect_uri is not the one the code was issued for.');
    }
    const verifier = form.get('code_verifier') ?? '';
    const expected = Buffer.from(pending.challenge);
    const actual = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
    if (!PKCE_VALUE.test(verifier) || actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      return refuse('invalid_grant', 'code_verifier does not match the code_challenge.');
    }
    const idToken = await issuer.sign(
      { sub: pending.subject, [issuer.settings.rolesClaim]: pending.groups, ...(pending.nonce ? { nonce: pending.nonce } : {}) },
      { expiresIn: `${TOKEN_TTL_SECONDS}s` },
    );
    return {
      status: 200,
      body: { id_token: idToken, access_token: idToken, token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS, scope: pending.scope },
    };
  }

  return {
    async serve(request, response, body, origin) {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = request.method ?? 'GET';
      if (url.pathname === DEV_SIGN_IN_PATHS.authorize && (method === 'GET' || method === 'POST')) {
        const params = method === 'GET' ? url.searchParams : new URLSearchParams(body.toString('utf8'));
        const authorization = authorizationRequest(params, origin);
        if ('error' in authorization) {
          page(response, 400, `<h1>Sign-in refused</h1><p>${escapeHtml(authorization.error)}</p>`);
          return true;
        }
        if (method === 'GET') {
          page(response, 200, signInForm(params));
          return true;
        }
        const subject = (params.get('subject') ?? '').trim();
        if (!subject) {
          page(response, 400, `<h1>Sign-in refused</h1><p>A subject is required.</p>`);
          return true;
        }
        for (const [key, pending] of codes) if (pending.expiresAt < Date.now()) codes.delete(key);
        const code = randomBytes(32).toString('base64url');
        codes.set(code, {
          challenge: authorization.challenge,
          redirectUri: authorization.redirectUri,
          subject,
          groups: (params.get('groups') ?? '').split(/[\s,]+/).filter(Boolean),
          nonce: authorization.nonce,
          scope: authorization.scope,
          expiresAt: Date.now() + CODE_TTL_MS,
        });
        const target = new URL(authorization.redirectUri);
        target.searchParams.set('code', code);
        if (authorization.state !== undefined) target.searchParams.set('state', authorization.state);
        response.writeHead(302, { location: target.toString(), 'cache-control': 'no-store', 'content-length': 0 });
        response.end();
        return true;
      }
      if (url.pathname === DEV_SIGN_IN_PATHS.token && method === 'POST') {
        const { status, body: answer } = await token(new URLSearchParams(body.toString('utf8')), origin);
        const payload = Buffer.from(JSON.stringify(answer));
        response.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
          'content-length': payload.byteLength,
        });
        response.end(payload);
        return true;
      }
      return false;
    },
  };
}

/** Who to sign in as: a subject and groups (default `steward-admin`), the authorization request carried along. */
function signInForm(params: URLSearchParams): string {
  const carried = ['client_id', 'redirect_uri', 'response_type', 'code_challenge', 'code_challenge_method', 'state', 'nonce', 'scope']
    .filter((name) => params.has(name))
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params.get(name) ?? '')}">`)
    .join('');
  return `<h1>Development sign-in</h1>
<p>The local development issuer signs whoever you name: no password.</p>
<form method="post" action="/dev-issuer/authorize">${carried}
<p><label for="subject">Subject</label> <input id="subject" name="subject" value="developer" required></p>
<p><label for="groups">Groups</label> <input id="groups" name="groups" value="steward-admin"></p>
<p><button type="submit">Sign in</button></p>
</form>`;
}

function page(response: ServerResponse, status: number, content: string): void {
  const body = Buffer.from(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Steward development sign-in</title></head><body>${content}</body></html>`,
  );
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': body.byteLength,
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  });
  response.end(body);
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

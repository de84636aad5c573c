// Signing in: an API key typed in, or the identity provider through OAuth 2.0 Authorization Code
// with PKCE (RFC 7636, S256). Either way the credential is sent as `Authorization: Bearer`.
import { api, config, credential, esc } from './core.js';

const PENDING = 'steward.pkce';

const base64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
const randomString = (bytes) => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

/** Where the identity provider sends the browser back: this page, without query or fragment. */
export const redirectUri = () => `${location.origin}${location.pathname}`;

/** Sends the browser to the identity provider's authorization endpoint; the verifier waits in this tab. */
export async function beginIdentityProviderSignIn() {
  const signIn = config.signIn;
  const verifier = randomString(32); // 43 characters, within RFC 7636's 43–128
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = randomString(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo: location.hash || '#/services' }));
  const url = new URL(signIn.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', signIn.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('scope', signIn.scopes.join(' '));
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  location.assign(url.href);
}

/**
 * When the identity provider sent the browser back (`?code=…&state=…` or `?error=…`): checks the
 * state, trades the code and the verifier for a token at the token endpoint, keeps the token, and
 * takes the query off the address. Null when this is not a return from the provider; else what went wrong, or ''.
 */
export async function finishIdentityProviderSignIn() {
  const query = new URLSearchParams(location.search);
  if (!query.has('code') && !query.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', `${redirectUri()}${pending?.returnTo ?? ''}`);
  if (query.has('error')) return `The identity provider refused: ${query.get('error_description') ?? query.get('error')}.`;
  if (!pending || !config.signIn) return 'This sign-in was not started here; start again.';
  if (query.get('state') !== pending.state) return 'The identity provider’s answer did not match this sign-in (state); start again.';
  let token;
  try {
    const response = await fetch(config.signIn.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: query.get('code') ?? '',
        redirect_uri: redirectUri(),
        client_id: config.signIn.clientId,
        code_verifier: pending.verifier,
      }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) return `The identity provider did not give a token: ${answer.error_description ?? answer.error ?? response.status}.`;
    // The ID token: its audience is this client (Cognito's access token names none), which the API checks.
    token = answer.id_token ?? answer.access_token;
  } catch (error) {
    return `The identity provider could not be reached: ${error.message}.`;
  }
  if (!token) return 'The identity provider answered without a token.';
  credential.set(token);
  try {
    await api('GET', '/system/info');
  } catch (error) {
    credential.clear();
    return `Steward refused the identity provider’s token: ${error.message}`;
  }
  return '';
}

function hostOf(url) {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/** The sign-in page: an API key, or the identity provider when config.json names one. */
export function signInPage(main, onSignedIn, problem = '') {
  const provider = config.signIn;
  main.innerHTML = `<section class="sign-in" aria-labelledby="sign-in-title">
    <h1 id="sign-in-title">Sign in to Steward</h1>
    ${
      provider
        ? `<p><button type="button" id="idp-sign-in">Sign in with ${esc(hostOf(provider.issuer) ?? 'your identity provider')}</button></p>
           <p class="or">or with an API key</p>`
        : ''
    }
    <form id="sign-in">
      <label for="credential">API key or token</label>
      <input id="credential" name="credential" type="password" autocomplete="off" required>
      <p><button type="submit"${provider ? ' class="secondary"' : ''}>Sign in</button></p>
    </form>
    <p id="sign-in-error" class="error" role="alert">${esc(problem)}</p></section>`;
  document.getElementById('idp-sign-in')?.addEventListener('click', () => void beginIdentityProviderSignIn());
  document.getElementById('sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = event.target.querySelector('button[type=submit]');
    button.disabled = true;
    credential.set(document.getElementById('credential').value.trim());
    try {
      await api('GET', '/system/info');
      onSignedIn();
    } catch (error) {
      credential.clear();
      button.disabled = false;
      document.getElementById('sign-in-error').textContent = `That did not work: ${error.message}`;
      document.getElementById('credential').select();
    }
  });
  (document.getElementById('idp-sign-in') ?? document.getElementById('credential')).focus();
}

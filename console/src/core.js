// What every page shares: where the API and the stream are (config.json), the credential, calls to
// the API, the live stream, and small HTML helpers.

/** Where the API and the stream are, and the identity provider, if any (config.json next to the console). */
export const config = { apiUrl: '', streamUrl: '', signIn: null };

/**
 * Reads config.json next to the console. Missing (a 404, or anything not JSON): the API and the
 * stream are on this origin, and only API keys sign in.
 */
export async function loadConfig() {
  let loaded = {};
  try {
    const response = await fetch(new URL('config.json', location.href), { cache: 'no-cache', credentials: 'omit' });
    if (response.ok) loaded = await response.json();
  } catch {
    // no config: the defaults
  }
  const meta = document.querySelector('meta[name="steward-stream"]')?.content;
  config.apiUrl = typeof loaded.apiUrl === 'string' ? loaded.apiUrl.replace(/\/+$/, '') : '';
  config.streamUrl =
    typeof loaded.streamUrl === 'string' && loaded.streamUrl
      ? loaded.streamUrl
      : meta || `${(config.apiUrl ? new URL(config.apiUrl) : location).origin.replace(/^http/, 'ws')}/v1/stream`;
  const signIn = loaded.signIn;
  config.signIn =
    signIn && typeof signIn.authorizationEndpoint === 'string' && typeof signIn.tokenEndpoint === 'string' && typeof signIn.clientId === 'string'
      ? { ...signIn, issuer: String(signIn.issuer ?? ''), scopes: Array.isArray(signIn.scopes) ? signIn.scopes.map(String) : ['openid'] }
      : null;
  return config;
}

const KEY = 'steward.credential';
/** The API key or the identity provider's token, kept for this tab only. */
export const credential = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class SignedOut extends Error {}

/** Calls the API with the credential as a Bearer token; the JSON answer, or an Error with the problem's detail. */
export async function api(method, path, body) {
  const response = await fetch(`${config.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${credential.get()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined;
  if (response.status === 401) {
    credential.clear();
    throw new SignedOut('Signed out: the credential was refused.');
  }
  if (!response.ok) throw new Error(json?.detail ?? json?.title ?? `The API answered ${response.status}.`);
  return json;
}

let socket;
let stopped = true;

/**
 * Follows topics on the live stream: `onEvent` for each event, `onReady` once subscribed (and again
 * after a reconnection, to reload what the page shows). A dropped connection is resumed with the
 * last event id seen, so nothing is missed.
 */
export function follow(topics, { onEvent, onReady }) {
  unfollow();
  stopped = false;
  let since;
  let retry = 500;
  const open = () => {
    const url = new URL(config.streamUrl);
    url.searchParams.set('key', credential.get() ?? '');
    url.searchParams.set('topics', topics.join(','));
    if (since) url.searchParams.set('since', since);
    const ws = new WebSocket(url);
    socket = ws;
    ws.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (data.type === 'event') {
        since = data.id;
        onEvent?.(data.event);
      } else if (data.type === 'subscribed' || data.type === 'replayed') {
        retry = 500;
        onReady?.();
      } else if (data.type === 'resync') {
        since = data.since ?? undefined;
        onReady?.();
      }
    };
    ws.onclose = () => {
      if (stopped || socket !== ws) return;
      setTimeout(() => !stopped && socket === ws && open(), retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  open();
}

export function unfollow() {
  stopped = true;
  socket?.close();
  socket = undefined;
}

/** Runs `draw` now and whenever asked again, never twice at once: a request during a draw runs once after it. */
export function redrawer(draw) {
  let running = null;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await draw();
      } while (again);
    })().finally(() => {
      running = null;
    });
    return running;
  };
  return run;
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
export const enc = encodeURIComponent;
export const badge = (value) => (value ? `<span class="badge ${esc(value)}">${esc(String(value).replaceAll('_', ' '))}</span>` : '—');
export const when = (iso) => (iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }) : '—');
export const time = (iso) => (iso ? `<time datetime="${esc(iso)}">${esc(when(iso))}</time>` : '—');
export const percent = (ratio, digits = 1) => (ratio === null || ratio === undefined ? '—' : `${(ratio * 100).toFixed(digits)}%`);
export const number = (value, digits = 0) =>
  value === null || value === undefined ? '—' : Number(value).toLocaleString('en-GB', { maximumFractionDigits: digits });

/** An HTML table: a caption, column headings, rows of cells (HTML), and what to say when empty. */
export function table(caption, headings, rows, empty = 'None.') {
  return `<div class="table-wrap"><table><caption>${caption}</caption>
    <thead><tr>${headings.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>
    <tbody>${rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') || `<tr><td colspan="${headings.length}">${empty}</td></tr>`}</tbody></table></div>`;
}

/** Weights as a stacked bar and as text, e.g. "1.0.0 90%, 2.0.0 10%". */
export function weightsBar(weights) {
  const entries = Object.entries(weights ?? {}).filter(([, share]) => share > 0);
  if (entries.length === 0) return '—';
  const text = entries.map(([v, p]) => `${v} ${p}%`).join(', ');
  return `<span class="weights" role="img" aria-label="${esc(text)}">${entries
    .map(([, p], i) => `<span class="w${i % 4}" style="width:${Number(p)}%"></span>`)
    .join('')}</span> <span class="weights-text">${esc(text)}</span>`;
}

let quiet;
/** Says something to everyone, screen readers included (the status line at the bottom), for a while. */
export function say(text) {
  const line = document.getElementById('status');
  line.textContent = text;
  clearTimeout(quiet);
  quiet = setTimeout(() => {
    if (line.textContent === text) line.textContent = '';
  }, 8000);
}

// Steward's web console: plain ES modules, no framework. It talks to the same API (and stream) as
// everything else, with the API key (or identity provider token) kept for this tab only.
const main = document.getElementById('main');
const statusLine = document.getElementById('status');
const signOut = document.getElementById('sign-out');
const KEY = 'steward.credential';

const credential = () => sessionStorage.getItem(KEY);
const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const enc = encodeURIComponent;
const say = (text) => { statusLine.textContent = text; };
const badge = (value) => `<span class="badge ${esc(value)}">${esc(String(value).replace('_', ' '))}</span>`;
const weights = (w) => Object.entries(w ?? {}).map(([v, p]) => `${esc(v)} ${p}%`).join(', ') || '—';
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${credential()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined;
  if (response.status === 401) { sessionStorage.removeItem(KEY); render(); throw new Error('Signed out: the key was refused.'); }
  if (!response.ok) throw new Error(json?.detail ?? `${response.status}`);
  return json;
}

let socket;
function stream(topics, onEvent) {
  socket?.close();
  const base = document.querySelector('meta[name="steward-stream"]')?.content || `${location.origin.replace(/^http/, 'ws')}/v1/stream`;
  const url = `${base}?key=${enc(credential())}&topics=${enc(topics.join(','))}`;
  socket = new WebSocket(url);
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.type === 'event') onEvent(data.event);
  };
  return socket;
}

function signIn() {
  signOut.hidden = true;
  main.innerHTML = `
    <h1>Sign in</h1>
    <form id="sign-in">
      <label for="credential">API key or identity provider token</label>
      <input id="credential" name="credential" type="password" autocomplete="off" required>
      <p><button type="submit">Sign in</button></p>
      <p id="sign-in-error" class="error" role="alert"></p>
    </form>`;
  document.getElementById('sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, document.getElementById('credential').value.trim());
    try {
      await api('GET', '/system/info');
      location.hash = '#/services';
      render();
    } catch (error) {
      sessionStorage.removeItem(KEY);
      signIn();
      document.getElementById('sign-in-error').textContent = `That did not work: ${error.message}`;
    }
  });
  document.getElementById('credential').focus();
}

async function servicesPage() {
  const { items } = await api('GET', '/v1/services?limit=100');
  main.innerHTML = `<h1>Services</h1>
    <table><caption class="skip">Services</caption><thead><tr><th scope="col">Service</th><th scope="col">Kind</th><th scope="col">Owner</th><th scope="col">Description</th></tr></thead>
    <tbody>${items.map((s) => `<tr><td><a href="#/services/${enc(s.name)}">${esc(s.name)}</a></td><td>${esc(s.kind)}</td><td>${esc(s.owner)}</td><td>${esc(s.description)}</td></tr>`).join('') || '<tr><td colspan="4">No services yet.</td></tr>'}</tbody></table>`;
}

function uptimeBars(results) {
  return `<div class="uptime" role="img" aria-label="${results.filter((r) => r.ok).length} of ${results.length} runs up">${results.map((r) => `<span class="${r.ok ? '' : 'down'}" title="${esc(when(r.at))}: ${r.ok ? 'up' : 'down'}"></span>`).join('')}</div>`;
}

function latencyChart(results) {
  if (results.length < 2) return '<p>Not enough runs for a chart yet.</p>';
  const max = Math.max(...results.map((r) => r.latencyMs), 1);
  const points = results.map((r, i) => `${(i / (results.length - 1)) * 400},${100 - (r.latencyMs / max) * 95}`).join(' ');
  return `<svg class="chart" viewBox="0 0 400 100" preserveAspectRatio="none" role="img" aria-label="Latency of the last ${results.length} runs, up to ${max} ms"><polyline points="${points}"/></svg>`;
}

async function servicePage(name) {
  const base = `/v1/services/${enc(name)}`;
  const [versions, environments, deployments, checks] = await Promise.all([
    api('GET', `${base}/versions?limit=50`),
    api('GET', `${base}/environments`),
    api('GET', `${base}/deployments?limit=10`),
    api('GET', `${base}/health-checks`).catch(() => ({ items: [] })),
  ]);
  const checkSections = await Promise.all(checks.items.map(async (check) => {
    const { items } = await api('GET', `${base}/health-checks/${enc(check.id)}/results?limit=60`);
    const results = [...items].reverse();
    return `<section aria-labelledby="check-${esc(check.id)}"><h3 id="check-${esc(check.id)}">${esc(check.method)} ${esc(check.url)} (${esc(check.environment)}) ${badge(check.state)}</h3>
      ${uptimeBars(results)}${latencyChart(results)}</section>`;
  }));
  main.innerHTML = `<h1>${esc(name)}</h1>
    <h2>Environments</h2>
    <table><thead><tr><th scope="col">Environment</th><th scope="col">Active version</th><th scope="col">Weights</th></tr></thead>
    <tbody>${environments.items.map((e) => `<tr><td>${esc(e.name)}</td><td>${esc(e.activeVersion)}</td><td>${weights(e.weights)}</td></tr>`).join('') || '<tr><td colspan="3">None.</td></tr>'}</tbody></table>
    <h2>Deployments</h2>
    <table><thead><tr><th scope="col">Deployment</th><th scope="col">Environment</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Weights</th></tr></thead>
    <tbody>${deployments.items.map((d) => `<tr><td><a href="#/deployments/${enc(name)}/${enc(d.id)}">${esc(d.id)}</a></td><td>${esc(d.environment)}</td><td>${esc(d.version)}</td><td>${badge(d.status)}</td><td>${weights(d.weights)}</td></tr>`).join('') || '<tr><td colspan="5">None.</td></tr>'}</tbody></table>
    <h2>Versions</h2>
    <table><thead><tr><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Registered</th></tr></thead>
    <tbody>${versions.items.map((v) => `<tr><td>${esc(v.version)}</td><td>${badge(v.status)}</td><td>${when(v.createdAt)}</td></tr>`).join('')}</tbody></table>
    <h2>Health checks</h2>${checkSections.join('') || '<p>None.</p>'}
    <h2>Configuration diff</h2>
    <form id="config-diff-form"><label for="diff-env">Layer (an environment, or base)</label><input id="diff-env" name="env" required value="base">
    <label for="diff-from">From version</label><input id="diff-from" name="from" type="number" min="1" required value="1">
    <label for="diff-to">To version (empty: the latest)</label><input id="diff-to" name="to" type="number" min="1">
    <p><button type="submit">Compare</button></p></form><div id="config-diff" aria-live="polite"></div>`;
  document.getElementById('config-diff-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void configDiff(name, event.target);
  });
}

async function deploymentPage(service, id) {
  const path = `/v1/services/${enc(service)}/deployments/${enc(id)}`;
  const draw = async () => {
    const [d, events] = await Promise.all([api('GET', path), api('GET', `${path}/events?limit=100`)]);
    const share = d.weights?.[d.version] ?? 0;
    const open = !['succeeded', 'rolled_back', 'failed', 'cancelled'].includes(d.status);
    main.innerHTML = `<h1>Deployment of ${esc(service)} ${esc(d.version)}</h1>
      <p>${badge(d.status)} in ${esc(d.environment)} · ${esc(d.strategy)} · from ${esc(d.fromVersion ?? 'nothing')}</p>
      <p id="share">${esc(d.version)} serves <strong>${share}%</strong> of traffic</p>
      <div class="progress" role="progressbar" aria-labelledby="share" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${share}"><div style="width:${share}%"></div></div>
      ${d.failureReason ? `<p class="error">${esc(d.failureReason)}</p>` : ''}
      <div class="actions">
        ${d.status === 'awaiting_approval' ? '<button type="button" data-action="approve">Approve</button>' : ''}
        ${open ? '<button type="button" class="secondary" data-action="cancel">Cancel</button>' : ''}
        ${d.status === 'succeeded' ? '<button type="button" class="secondary" data-action="rollback">Roll back</button>' : ''}
      </div>
      <h2>Steps, weights and gate results</h2>
      <ol class="timeline">${events.items.map((e) => `<li><time datetime="${esc(e.at)}">${when(e.at)}</time> — ${esc(e.message)}${e.weights ? ` <span>[${weights(e.weights)}]</span>` : ''}</li>`).join('')}</ol>`;
    for (const button of main.querySelectorAll('button[data-action]')) {
      button.addEventListener('click', async () => {
        button.disabled = true;
        try { await api('POST', `${path}/${button.dataset.action}`, {}); say(`${button.textContent}: done.`); } catch (error) { say(error.message); }
        await draw();
      });
    }
  };
  await draw();
  stream([`deployments/${id}`], () => void draw());
}

async function alertsPage() {
  const [firing, acknowledged] = await Promise.all([api('GET', '/v1/alerts?status=firing&limit=100'), api('GET', '/v1/alerts?status=acknowledged&limit=100')]);
  const rows = [...firing.items, ...acknowledged.items];
  main.innerHTML = `<h1>Alerts</h1>
    <table><thead><tr><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Service</th><th scope="col">Summary</th><th scope="col">Since</th><th scope="col"><span class="skip">Action</span></th></tr></thead>
    <tbody>${rows.map((a) => `<tr><td>${badge(a.severity)}</td><td>${badge(a.status)}</td><td>${esc(a.service)}</td><td>${esc(a.summary)}</td><td>${when(a.firedAt ?? a.startsAt)}</td>
      <td>${a.status === 'firing' ? `<button type="button" data-ack="${esc(a.id)}" aria-label="Acknowledge ${esc(a.summary)}">Acknowledge</button>` : ''}</td></tr>`).join('') || '<tr><td colspan="6">No open alerts.</td></tr>'}</tbody></table>`;
  for (const button of main.querySelectorAll('button[data-ack]')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      await api('POST', `/v1/alerts/${enc(button.dataset.ack)}/acknowledge`, {});
      say('Alert acknowledged.');
      await alertsPage();
    });
  }
  stream(['alerts'], () => void alertsPage());
}

async function incidentsPage() {
  const { items } = await api('GET', '/v1/incidents?limit=50');
  main.innerHTML = `<h1>Incidents</h1>
    <table><thead><tr><th scope="col">Incident</th><th scope="col">Service</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Opened</th></tr></thead>
    <tbody>${items.map((i) => `<tr><td><a href="#/incidents/${enc(i.id)}">${esc(i.title)}</a></td><td>${esc(i.service)}</td><td>${badge(i.severity)}</td><td>${badge(i.status)}</td><td>${when(i.openedAt)}</td></tr>`).join('') || '<tr><td colspan="5">No incidents.</td></tr>'}</tbody></table>`;
  stream(['incidents'], () => void incidentsPage());
}

const TIMELINE_TEXT = {
  opened: (t) => `Opened${t.actor ? ` by ${t.actor.name}` : ''}`,
  alert: (t) => `Alert ${t.alertName ?? ''} (${t.severity ?? ''}): ${t.summary ?? ''}`,
  deployment: (t) => `Deployment of ${t.version} in ${t.environment}: ${t.status}`,
  acknowledged: (t) => `Acknowledged by ${t.actor?.name ?? ''}`,
  note: (t) => `Note by ${t.actor?.name ?? ''}: ${t.text ?? ''}`,
  resolved: (t) => `Resolved by ${t.actor?.name ?? ''}: ${t.text ?? ''}`,
};

async function incidentPage(id) {
  const incident = await api('GET', `/v1/incidents/${enc(id)}`);
  main.innerHTML = `<h1>${esc(incident.title)}</h1>
    <p>${badge(incident.status)} ${badge(incident.severity)} · ${esc(incident.service)} · opened ${when(incident.openedAt)}</p>
    <h2>Timeline</h2>
    <ol class="timeline">${(incident.timeline ?? []).map((t) => `<li><time datetime="${esc(t.at)}">${when(t.at)}</time> — ${esc((TIMELINE_TEXT[t.kind] ?? (() => t.kind))(t))}</li>`).join('')}</ol>`;
}

async function configDiff(service, form) {
  const data = new FormData(form);
  const params = new URLSearchParams({ from: data.get('from') });
  if (data.get('to')) params.set('to', data.get('to'));
  const output = document.getElementById('config-diff');
  try {
    const diff = await api('GET', `/v1/services/${enc(service)}/configs/${enc(data.get('env'))}/diff?${params}`);
    output.innerHTML = `<p>Version ${diff.from} → ${diff.to}</p><ul>${diff.patch.map((op) => `<li><code>${esc(op.op)} ${esc(op.path)}${op.value === undefined ? '' : ` = ${esc(JSON.stringify(op.value))}`}</code></li>`).join('') || '<li>No changes.</li>'}</ul>`;
  } catch (error) {
    output.innerHTML = `<p class="error" role="alert">${esc(error.message)}</p>`;
  }
}

async function auditPage() {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const params = new URLSearchParams({ limit: '50' });
  for (const name of ['service', 'type']) if (query.get(name)) params.set(name, query.get(name));
  const { items } = await api('GET', `/v1/audit?${params}`);
  main.innerHTML = `<h1>Audit log</h1>
    <form id="audit-search"><label for="audit-service">Service</label><input id="audit-service" name="service" value="${esc(query.get('service'))}">
    <label for="audit-type">Event type (e.g. deployment.*)</label><input id="audit-type" name="type" value="${esc(query.get('type'))}">
    <p><button type="submit">Search</button></p></form>
    <table><thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Subject</th><th scope="col">Who</th></tr></thead>
    <tbody>${items.map((e) => `<tr><td>${when(e.at)}</td><td>${esc(e.type)}</td><td>${esc(e.subject)}</td><td>${esc(e.actor.name)}</td></tr>`).join('') || '<tr><td colspan="4">Nothing found.</td></tr>'}</tbody></table>`;
  document.getElementById('audit-search').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new URLSearchParams(new FormData(event.target));
    for (const [name, value] of [...form]) if (!value) form.delete(name);
    location.hash = `#/audit?${form}`;
  });
}

async function render() {
  socket?.close();
  if (!credential()) return signIn();
  signOut.hidden = false;
  const route = location.hash.replace(/^#\/?/, '').split('?')[0].split('/').map(decodeURIComponent);
  try {
    if (route[0] === 'services' && route[1]) await servicePage(route[1]);
    else if (route[0] === 'deployments' && route[2]) await deploymentPage(route[1], route[2]);
    else if (route[0] === 'alerts') await alertsPage();
    else if (route[0] === 'audit') await auditPage();
    else if (route[0] === 'incidents' && route[1]) await incidentPage(route[1]);
    else if (route[0] === 'incidents') await incidentsPage();
    else await servicesPage();
    main.focus();
  } catch (error) {
    main.innerHTML = `<p class="error" role="alert">${esc(error.message)}</p>`;
  }
}

signOut.addEventListener('click', () => { sessionStorage.removeItem(KEY); location.hash = ''; render(); });
window.addEventListener('hashchange', render);
render();

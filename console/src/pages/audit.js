// The audit log with search: by service, event type (`deployment.*`), actor and time window, page by page.
import { api, enc, esc, table, time } from '../core.js';

const FIELDS = [
  ['service', 'Service', 'text', 'e.g. payments-api'],
  ['type', 'Event type', 'text', 'e.g. deployment.*'],
  ['actor', 'Actor (API key id)', 'text', ''],
  ['from', 'From', 'datetime-local', ''],
  ['to', 'Before', 'datetime-local', ''],
];

const toIso = (local) => (local ? new Date(local).toISOString() : '');

export async function auditPage(main, query) {
  const params = new URLSearchParams({ limit: '50' });
  for (const [name] of FIELDS) {
    const value = query.get(name);
    if (value) params.set(name, name === 'from' || name === 'to' ? toIso(value) : value);
  }
  main.innerHTML = `<h1>Audit log</h1>
    <form id="audit-search" class="inline" role="search" aria-label="Audit log">
      ${FIELDS.map(
        ([name, label, type, placeholder]) =>
          `<div><label for="audit-${name}">${label}</label><input id="audit-${name}" name="${name}" type="${type}" value="${esc(query.get(name))}"${placeholder ? ` placeholder="${esc(placeholder)}"` : ''}></div>`,
      ).join('')}
      <div><button type="submit">Search</button></div>
    </form>
    <div id="audit-results"><p>Loading…</p></div>`;
  document.getElementById('audit-search').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new URLSearchParams(new FormData(event.target));
    for (const [name, value] of [...form]) if (!value) form.delete(name);
    location.hash = `#/audit?${form}`;
  });
  const results = document.getElementById('audit-results');
  const rows = [];
  const more = async (cursor) => {
    if (cursor) params.set('cursor', cursor);
    const page = await api('GET', `/v1/audit?${params}`);
    rows.push(
      ...page.items.map((e) => [
        time(e.at),
        `<code>${esc(e.type)}</code>`,
        esc(e.subject),
        e.service ? `<a href="#/audit?service=${enc(e.service)}">${esc(e.service)}</a>` : '—',
        esc(e.actor?.name ?? ''),
      ]),
    );
    results.innerHTML = `${table(`${rows.length} records${page.nextCursor ? ' so far' : ''}`, ['When', 'Event', 'Subject', 'Service', 'Who'], rows, 'Nothing found.')}
      ${page.nextCursor ? '<p><button type="button" id="audit-more" class="secondary">Show more</button></p>' : ''}`;
    document.getElementById('audit-more')?.addEventListener('click', async () => {
      await more(page.nextCursor);
      document.getElementById('audit-more')?.focus();
    });
  };
  await more();
}

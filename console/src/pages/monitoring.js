// Alerts (acknowledge) and incidents (their timeline, notes), kept current from the stream.
import { api, badge, enc, esc, follow, redrawer, say, table, time } from '../core.js';

export async function alertsPage(main) {
  const draw = redrawer(async () => {
    const [firing, acknowledged] = await Promise.all([
      api('GET', '/v1/alerts?status=firing&limit=100'),
      api('GET', '/v1/alerts?status=acknowledged&limit=100'),
    ]);
    const focused = document.activeElement?.id;
    main.innerHTML = `<h1>Alerts</h1>
      <p>${firing.items.length} firing, ${acknowledged.items.length} acknowledged.</p>
      ${table(
        'Open alerts, firing first',
        ['Severity', 'Status', 'Service', 'Alert', 'Fired', 'Action'],
        [...firing.items, ...acknowledged.items].map((a) => [
          badge(a.severity),
          badge(a.status),
          `<a href="#/services/${enc(a.service)}">${esc(a.service)}</a>`,
          `<strong>${esc(a.name)}</strong><br>${esc(a.summary)}`,
          time(a.firedAt ?? a.startedAt),
          a.status === 'firing'
            ? `<button type="button" id="ack-${esc(a.id)}" data-ack="${esc(a.id)}" aria-label="Acknowledge ${esc(a.name)} on ${esc(a.service)}">Acknowledge</button>`
            : `by ${esc(a.acknowledgedBy?.name ?? '')}`,
        ]),
        'No open alerts.',
      )}`;
    for (const button of main.querySelectorAll('button[data-ack]')) {
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await api('POST', `/v1/alerts/${enc(button.dataset.ack)}/acknowledge`, {});
          say('Alert acknowledged.');
        } catch (error) {
          say(`Not acknowledged: ${error.message}`);
        }
        await draw();
        main.querySelector('button[data-ack]')?.focus();
      });
    }
    if (focused) document.getElementById(focused)?.focus();
  });
  await draw();
  follow(['alerts'], { onEvent: () => void draw(), onReady: () => void draw() });
}

export async function incidentsPage(main) {
  const draw = redrawer(async () => {
    const { items } = await api('GET', '/v1/incidents?limit=50');
    main.innerHTML = `<h1>Incidents</h1>
      ${table(
        'Incidents, newest first',
        ['Incident', 'Service', 'Severity', 'Status', 'Opened', 'Alerts', 'Notes'],
        items.map((i) => [
          `<a href="#/incidents/${enc(i.id)}">${esc(i.title)}</a>`,
          esc(i.service),
          badge(i.severity),
          badge(i.status),
          time(i.openedAt),
          String(i.alertCount),
          String(i.noteCount),
        ]),
        'No incidents.',
      )}`;
  });
  await draw();
  follow(['incidents'], { onEvent: () => void draw(), onReady: () => void draw() });
}

const TIMELINE_TEXT = {
  opened: (t) => `Opened${t.actor ? ` by ${t.actor.name}` : ''}`,
  alert: (t) => `Alert ${t.alertName ?? ''} (${t.severity ?? ''}): ${t.summary ?? ''}`,
  deployment: (t) => `Deployment of ${t.version} in ${t.environment}: ${String(t.status ?? '').replaceAll('_', ' ')}`,
  acknowledged: (t) => `Acknowledged by ${t.actor?.name ?? ''}`,
  note: (t) => `Note by ${t.actor?.name ?? ''}: ${t.text ?? ''}`,
  resolved: (t) => `Resolved by ${t.actor?.name ?? ''}: ${t.text ?? ''}`,
};

export async function incidentPage(main, id) {
  const draw = redrawer(async () => {
    const incident = await api('GET', `/v1/incidents/${enc(id)}`);
    main.innerHTML = `<p class="crumbs"><a href="#/incidents">Incidents</a> / incident</p>
      <h1>${esc(incident.title)}</h1>
      <p>${badge(incident.status)} ${badge(incident.severity)} · <a href="#/services/${enc(incident.service)}">${esc(incident.service)}</a> · opened ${time(incident.openedAt)}</p>
      ${incident.summary ? `<p>${esc(incident.summary)}</p>` : ''}
      <h2>Timeline</h2>
      <ol class="timeline">${(incident.timeline ?? [])
        .map(
          (t) =>
            `<li class="kind-${esc(t.kind)}">${time(t.at)} <span class="event-type">${esc(t.kind)}</span> ${esc((TIMELINE_TEXT[t.kind] ?? (() => ''))(t))}${
              t.kind === 'deployment' && t.deploymentId
                ? ` <a href="#/deployments/${enc(incident.service)}/${enc(t.deploymentId)}">the deployment</a>`
                : ''
            }</li>`,
        )
        .join('')}</ol>
      ${
        incident.status === 'resolved'
          ? ''
          : `<form id="incident-note"><label for="note-text">Add a note to the timeline</label>
        <textarea id="note-text" name="text" rows="3" required maxlength="4000"></textarea>
        <p><button type="submit">Add note</button></p></form>`
      }`;
    document.getElementById('incident-note')?.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api('POST', `/v1/incidents/${enc(id)}/notes`, { text: new FormData(event.target).get('text') });
        say('Note added.');
      } catch (error) {
        say(`The note was not added: ${error.message}`);
      }
      await draw();
    });
  });
  await draw();
  follow(['incidents'], { onEvent: () => void draw(), onReady: () => void draw() });
}

// A deployment, live from the stream: its share of traffic, its steps, every event with its gate
// results, and approve / cancel / roll back.
import { chartFigure, disposeCharts, drawTimeChart } from '../charts.js';
import { api, badge, enc, esc, follow, redrawer, say, time, weightsBar } from '../core.js';

const ACTIVE = ['pending', 'in_progress', 'awaiting_approval'];

function steps(d) {
  const current = d.currentStep?.index ?? -1;
  const ended = !ACTIVE.includes(d.status);
  return `<ol class="steps">${d.steps
    .map((s, i) => {
      const state = d.status === 'succeeded' || i < current ? 'done' : i === current && !ended ? 'current' : 'to-do';
      return `<li class="${state}"${state === 'current' ? ' aria-current="step"' : ''}><strong>${s.percent}%</strong>
        <span>${s.bakeSeconds ? `bake ${s.bakeSeconds >= 120 ? `${Math.round(s.bakeSeconds / 60)} min` : `${Math.round(s.bakeSeconds)} s`}` : 'no bake'}</span>
        <span class="sr-only">(${state === 'to-do' ? 'to do' : state})</span></li>`;
    })
    .join('')}</ol>`;
}

/** A gate result's verdict (the message says what it checked). */
function evidence(e) {
  const passed = e.evidence && typeof e.evidence === 'object' ? e.evidence.passed : undefined;
  return typeof passed === 'boolean' ? ` ${badge(passed ? 'passed' : 'failed')}` : '';
}

export async function deploymentPage(main, service, id) {
  const path = `/v1/services/${enc(service)}/deployments/${enc(id)}`;
  const draw = redrawer(async () => {
    const [d, events] = await Promise.all([api('GET', path), api('GET', `${path}/events?limit=100`)]);
    const share = d.weights?.[d.version] ?? 0;
    const active = ACTIVE.includes(d.status);
    const canRollBack = d.status === 'succeeded' && (!d.rollbackWindowEndsAt || Date.parse(d.rollbackWindowEndsAt) > Date.now());
    const focused = document.activeElement?.id;
    // The new version's share over time: none when it started, then every change of weights.
    const started = events.items.find((e) => e.type === 'deployment.started');
    const weighted = [...(started && !started.weights ? [{ ...started, weights: {} }] : []), ...events.items.filter((e) => e.weights)];
    disposeCharts();
    main.innerHTML = `<p class="crumbs"><a href="#/services">Services</a> / <a href="#/services/${enc(service)}">${esc(service)}</a> / deployment</p>
      <h1>Deployment of ${esc(service)} ${esc(d.version)}</h1>
      <p>${badge(d.status)} in <strong>${esc(d.environment)}</strong> · ${esc(d.strategy)} · from ${esc(d.fromVersion ?? 'nothing')} · started ${time(d.startedAt ?? d.createdAt)}</p>
      <div class="card">
        <p id="share">${esc(d.version)} serves <strong>${share}%</strong> of traffic</p>
        <div class="progress" role="progressbar" aria-labelledby="share" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${share}"><div style="width:${share}%"></div></div>
        <p>Weights now: ${weightsBar(d.weights)}</p>
        ${steps(d)}
        ${d.failureReason ? `<p class="error">${esc(d.failureReason)}</p>` : ''}
        <div class="actions">
          ${d.status === 'awaiting_approval' || (d.requiresApproval && d.status === 'pending' && !d.approvedBy) ? '<button type="button" id="approve" data-action="approve">Approve</button>' : ''}
          ${active ? '<button type="button" id="cancel" class="secondary" data-action="cancel">Cancel</button>' : ''}
          ${canRollBack ? '<button type="button" id="rollback" class="danger" data-action="rollback">Roll back</button>' : ''}
        </div>
      </div>
      ${
        weighted.length >= 2
          ? chartFigure(
              'share-chart',
              `${d.version}'s share of traffic over time (%)`,
              `The share went ${weighted.map((e) => `${e.weights[d.version] ?? 0}%`).join(', then ')}.`,
            )
          : ''
      }
      <h2>Steps, weights and gate results</h2>
      <ol class="timeline">${events.items
        .map(
          (e) =>
            `<li>${time(e.at)} <span class="event-type">${esc(e.type)}</span> ${esc(e.message)}${e.weights ? ` <span class="muted">[${esc(Object.entries(e.weights).map(([v, p]) => `${v} ${p}%`).join(', '))}]</span>` : ''}${evidence(e)}</li>`,
        )
        .join('')}</ol>`;
    if (weighted.length >= 2)
      drawTimeChart(
        'share-chart',
        weighted.map((e) => Date.parse(e.at) / 1000),
        [{ label: d.version, values: weighted.map((e) => e.weights[d.version] ?? 0) }],
        { yLabel: '%', unit: '%', stepped: true },
      );
    for (const button of main.querySelectorAll('button[data-action]')) {
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await api('POST', `${path}/${button.dataset.action}`, {});
          say(`${button.textContent}: done.`);
        } catch (error) {
          say(`${button.textContent}: ${error.message}`);
        }
        await draw();
      });
    }
    if (focused) document.getElementById(focused)?.focus();
  });
  // Drawn now, and again once subscribed: nothing falls between the first read and the stream.
  await draw();
  follow([`deployments/${id}`], { onEvent: () => void draw(), onReady: () => void draw() });
}

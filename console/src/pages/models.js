// Models: every model at a glance, and one model's performance over time and its versions compared.
import { chartFigure, COLOURS, drawBarChart, drawTimeChart } from '../charts.js';
import { api, badge, enc, esc, number, percent, table } from '../core.js';
import { serviceNav } from './services.js';

const usd = (value) => (value === null || value === undefined ? '—' : `$${Number(value).toFixed(value > 0 && value < 1 ? 4 : 2)}`);

export async function modelsPage(main) {
  const [{ items }, stats] = await Promise.all([api('GET', '/v1/models?limit=100'), api('GET', '/v1/models/stats')]);
  const serving = (counts) =>
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${badge(status)} ${n}`)
      .join(' ') || '—';
  main.innerHTML = `<h1>Models</h1>
    <dl class="figures">
      <div><dt>Models</dt><dd>${number(stats.models)}</dd></div>
      <div><dt>Versions</dt><dd>${number(stats.versions)}</dd></div>
      <div><dt>Inferences, last 24 h</dt><dd>${number(stats.last24h.inferences)}</dd></div>
      <div><dt>Cost, last 24 h</dt><dd>${usd(stats.last24h.costUsd)}</dd></div>
    </dl>
    ${table(
      'Every model with its active version and the last 24 hours',
      ['Model', 'Active version', 'Versions by serving status', 'Requests (24 h)', 'Error rate', 'Cost (24 h)', 'Owner'],
      items.map((m) => [
        `<a href="#/services/${enc(m.name)}/performance">${esc(m.name)}</a>`,
        esc(m.activeVersion ?? '—'),
        serving(m.servingStatuses),
        number(m.last24h.requests),
        percent(m.last24h.errorRate, 2),
        usd(m.last24h.costUsd),
        esc(m.owner ?? '—'),
      ]),
      'No models yet.',
    )}`;
}

const WINDOWS = [
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
];

export async function performancePage(main, name, query) {
  const base = `/v1/services/${enc(name)}`;
  const [service, versions, models] = await Promise.all([
    api('GET', base),
    api('GET', `${base}/versions?limit=50`),
    api('GET', '/v1/models?limit=100'),
  ]);
  const names = versions.items.map((v) => v.version);
  const active = models.items.find((m) => m.name === name)?.activeVersion;
  const version = names.includes(query.get('version')) ? query.get('version') : (active ?? names[0]);
  const window = WINDOWS.some(([w]) => w === query.get('window')) ? query.get('window') : '24h';
  const picked = query.getAll('compare').filter((v) => names.includes(v) && v !== version);
  const compared = [version, ...(picked.length ? picked : names.filter((v) => v !== version).slice(0, 3))].filter(Boolean);
  main.innerHTML = `${serviceNav(service, '/performance')}
    ${
      names.length === 0
        ? '<p>No versions yet.</p>'
        : `<form id="performance-form" class="inline">
      <div><label for="perf-version">Version</label><select id="perf-version" name="version">${names
        .map((v) => `<option${v === version ? ' selected' : ''}>${esc(v)}</option>`)
        .join('')}</select></div>
      <div><label for="perf-window">Window</label><select id="perf-window" name="window">${WINDOWS.map(
        ([w, label]) => `<option value="${w}"${w === window ? ' selected' : ''}>${label}</option>`,
      ).join('')}</select></div>
      <fieldset><legend>Compare with</legend>${names
        .filter((v) => v !== version)
        .map(
          (v, i) =>
            `<span class="check"><input type="checkbox" id="cmp-${i}" name="compare" value="${esc(v)}"${compared.includes(v) ? ' checked' : ''}><label for="cmp-${i}">${esc(v)}</label></span>`,
        )
        .join('')}</fieldset>
      <div><button type="submit">Show</button></div>
    </form>
    <div id="performance"><p>Loading…</p></div>
    <div id="comparison"></div>`
    }`;
  const form = document.getElementById('performance-form');
  if (!form) return;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/services/${enc(name)}/performance?${new URLSearchParams(new FormData(form))}`;
  });
  await Promise.all([drawPerformance(base, version, window), compared.length >= 2 ? drawComparison(base, compared, window) : null]);
}

async function drawPerformance(base, version, window) {
  const output = document.getElementById('performance');
  let p;
  try {
    p = await api('GET', `${base}/versions/${enc(version)}/performance?window=${window}`);
  } catch (error) {
    output.innerHTML = `<p class="error" role="alert">${esc(error.message)}</p>`;
    return;
  }
  const series = p.series.filter((s) => s.samples > 0);
  output.innerHTML = `<h2>${esc(version)} in ${esc(p.window.environment)}</h2>
    <dl class="figures">
      <div><dt>Requests</dt><dd>${number(p.samples)}</dd></div>
      <div><dt>Error rate</dt><dd>${percent(p.errorRate, 2)}</dd></div>
      <div><dt>Latency p50 / p95</dt><dd>${number(p.latencyMs.p50, 1)} / ${number(p.latencyMs.p95, 1)} ms</dd></div>
      <div><dt>Mean confidence</dt><dd>${number(p.confidence.mean, 3)}</dd></div>
      <div><dt>Cost per 1,000</dt><dd>${usd(p.costUsd.per1kRequests)}</dd></div>
    </dl>
    ${
      series.length >= 2
        ? `<div class="charts">${chartFigure(
            'latency-chart',
            `Latency by ${p.window.granularity} (ms)`,
            `Median latency from ${number(Math.min(...series.map((s) => s.latencyP50Ms ?? Infinity)), 1)} to ${number(Math.max(...series.map((s) => s.latencyP50Ms ?? 0)), 1)} ms over ${series.length} ${p.window.granularity}s.`,
          )}${chartFigure(
            'error-chart',
            `Error rate by ${p.window.granularity} (%)`,
            `Error rate up to ${percent(Math.max(...series.map((s) => s.errorRate ?? 0)), 2)} over ${series.length} ${p.window.granularity}s.`,
          )}</div>`
        : '<p>Not enough inferences in this window for a chart.</p>'
    }`;
  if (series.length < 2) return;
  const times = series.map((s) => Date.parse(s.t) / 1000);
  drawTimeChart(
    'latency-chart',
    times,
    [
      { label: 'p50', values: series.map((s) => s.latencyP50Ms) },
      { label: 'p95', values: series.map((s) => s.latencyP95Ms) },
    ],
    { yLabel: 'ms', unit: ' ms' },
  );
  drawTimeChart('error-chart', times, [{ label: 'Error rate', values: series.map((s) => (s.errorRate === null ? null : s.errorRate * 100)) }], {
    yLabel: '%',
    unit: '%',
  });
}

const delta = (value, digits, unit = '') =>
  value === null || value === undefined ? '' : ` <span class="muted">(${value > 0 ? '+' : ''}${Number(value).toFixed(digits)}${unit})</span>`;
const marker = (significance) =>
  significance ? `${badge(significance.marker)} <span class="muted">p = ${significance.pValue.toPrecision(2)}</span>` : '—';

async function drawComparison(base, versions, window) {
  const output = document.getElementById('comparison');
  let c;
  try {
    c = await api('GET', `${base}/compare?versions=${versions.map(enc).join(',')}&window=${window}`);
  } catch (error) {
    output.innerHTML = `<p class="error" role="alert">${esc(error.message)}</p>`;
    return;
  }
  const labels = c.rows.map((r) => r.version);
  const p95 = c.rows.map((r) => r.live.latencyMs.p95);
  const errors = c.rows.map((r) => (r.live.errorRate === null ? null : r.live.errorRate * 100));
  output.innerHTML = `<h2>Versions compared with ${esc(c.reference)}</h2>
    <div class="charts">
      ${chartFigure('compare-latency', 'p95 latency by version (ms)', labels.map((v, i) => `${v}: ${number(p95[i], 1)} ms`).join('; '))}
      ${chartFigure('compare-errors', 'Error rate by version (%)', labels.map((v, i) => `${v}: ${number(errors[i], 2)}%`).join('; '))}
    </div>
    ${table(
      `Live figures in ${esc(c.window.environment)}; differences against ${esc(c.reference)}, significant where p < ${c.alpha}`,
      ['Version', 'Requests', 'Error rate', 'Error rate vs reference', 'Latency p95', 'Latency vs reference', 'Training metrics'],
      c.rows.map((r) => [
        `${esc(r.version)}${r.reference ? ' <span class="muted">(reference)</span>' : ''}`,
        number(r.live.samples),
        `${percent(r.live.errorRate, 2)}${delta(r.deltas?.errorRate === null || r.deltas?.errorRate === undefined ? null : r.deltas.errorRate * 100, 2, ' pt')}`,
        marker(r.errorRate),
        `${number(r.live.latencyMs.p95, 1)} ms${delta(r.deltas?.latencyP95Ms, 1, ' ms')}`,
        marker(r.latency),
        esc(
          Object.entries(r.trainingMetrics ?? {})
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || '—',
        ),
      ]),
    )}`;
  drawBarChart('compare-latency', labels, { label: 'p95 latency', values: p95, unit: ' ms', colour: COLOURS[0] }, { yLabel: 'ms' });
  drawBarChart('compare-errors', labels, { label: 'Error rate', values: errors, unit: '%', colour: COLOURS[1] }, { yLabel: '%' });
}

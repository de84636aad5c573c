// Services: the list, and for one service its overview (environments with their weights, versions,
// deployments), its health checks (uptime bars, latency charts) and its configuration diff.
import { chartFigure, drawTimeChart } from '../charts.js';
import { api, badge, enc, esc, follow, number, redrawer, table, time, weightsBar, when } from '../core.js';

export async function servicesPage(main) {
  const { items } = await api('GET', '/v1/services?limit=100');
  main.innerHTML = `<h1>Services</h1>
    ${table(
      'Every service and model, with its status',
      ['Service', 'Kind', 'Status', 'Versions', 'Latest released', 'Owner'],
      items.map((s) => [
        `<a href="#/services/${enc(s.name)}">${esc(s.name)}</a>${s.displayName && s.displayName !== s.name ? `<br><span class="muted">${esc(s.displayName)}</span>` : ''}`,
        esc(s.kind),
        badge(s.status),
        number(s.versionCount),
        esc(s.latestReleased ?? '—'),
        esc(s.owner ?? '—'),
      ]),
      'No services yet.',
    )}`;
}

/** The tabs of a service's pages. */
export function serviceNav(service, current) {
  const tabs = [
    ['', 'Overview'],
    ['/health', 'Health checks'],
    ['/config', 'Configuration'],
    ...(service.kind === 'model' ? [['/performance', 'Performance']] : []),
  ];
  return `<p class="crumbs"><a href="#/services">Services</a> / ${esc(service.name)}</p>
    <h1>${esc(service.displayName || service.name)} ${badge(service.status)}</h1>
    <nav class="tabs" aria-label="${esc(service.name)}">${tabs
      .map(
        ([path, label]) =>
          `<a href="#/services/${enc(service.name)}${path}"${path === current ? ' aria-current="page"' : ''}>${label}</a>`,
      )
      .join('')}</nav>`;
}

export async function serviceOverviewPage(main, name) {
  const base = `/v1/services/${enc(name)}`;
  const draw = redrawer(async () => {
    const [service, versions, environments, deployments] = await Promise.all([
      api('GET', base),
      api('GET', `${base}/versions?limit=50`),
      api('GET', `${base}/environments`),
      api('GET', `${base}/deployments?limit=10`),
    ]);
    const model = service.kind === 'model';
    main.innerHTML = `${serviceNav(service, '')}
      ${service.description ? `<p>${esc(service.description)}</p>` : ''}
      <h2>Environments</h2>
      ${table(
        'Environments, their active version and current weights',
        ['Environment', 'Active version', 'Previous version', 'Current weights', 'Deployment under way'],
        environments.items.map((e) => [
          esc(e.name),
          esc(e.activeVersion ?? '—'),
          esc(e.previousVersion ?? '—'),
          weightsBar(e.weights),
          e.activeDeployment
            ? `<a href="#/deployments/${enc(name)}/${enc(e.activeDeployment.id)}">${esc(e.activeDeployment.version)}</a> ${badge(e.activeDeployment.status)}`
            : '—',
        ]),
        'No environments yet.',
      )}
      <h2>Deployments</h2>
      ${table(
        'The last ten deployments',
        ['Started', 'Environment', 'Version', 'Strategy', 'Status', 'Weights'],
        deployments.items.map((d) => [
          `<a href="#/deployments/${enc(name)}/${enc(d.id)}">${esc(when(d.createdAt))}</a>`,
          esc(d.environment),
          esc(d.version),
          esc(d.strategy),
          badge(d.status),
          weightsBar(d.weights),
        ]),
        'No deployments yet.',
      )}
      <h2>Versions</h2>
      ${table(
        'Versions, newest first',
        ['Version', 'Status', ...(model ? ['Serving'] : []), 'Registered', 'Released'],
        versions.items.map((v) => [
          esc(v.version),
          badge(v.status),
          ...(model ? [badge(v.servingStatus)] : []),
          time(v.createdAt),
          time(v.releasedAt),
        ]),
        'No versions yet.',
      )}`;
  });
  await draw();
  follow([`services/${name}`], { onEvent: () => void draw(), onReady: () => void draw() });
}

function uptimeBars(results) {
  const up = results.filter((r) => r.ok).length;
  return `<div class="uptime" role="img" aria-label="${up} of ${results.length} runs up">${results
    .map((r) => `<span class="${r.ok ? 'up' : 'down'}" title="${esc(when(r.at))}: ${r.ok ? 'up' : `down (${esc(r.reason ?? '')})`}"></span>`)
    .join('')}</div>`;
}

export async function healthPage(main, name) {
  const base = `/v1/services/${enc(name)}`;
  const [service, checks] = await Promise.all([api('GET', base), api('GET', `${base}/health-checks`)]);
  const withResults = await Promise.all(
    checks.items.map(async (check) => {
      const { items } = await api('GET', `${base}/health-checks/${enc(check.id)}/results?limit=60`);
      return { check, results: [...items].reverse() };
    }),
  );
  main.innerHTML = `${serviceNav(service, '/health')}
    ${
      withResults
        .map(({ check, results }, index) => {
          const up = results.filter((r) => r.ok).length;
          const latencies = results.map((r) => r.latencyMs);
          return `<section class="card" aria-labelledby="check-${index}">
          <h2 id="check-${index}">${esc(check.method)} <span class="url">${esc(check.url)}</span></h2>
          <p>${badge(check.state)} in ${esc(check.environment)} · every ${number(check.intervalSeconds)} s ·
            ${results.length ? `${((up / results.length) * 100).toFixed(1)}% up over the last ${results.length} runs` : 'no runs yet'}</p>
          <h3 class="small">Uptime, oldest run first</h3>
          ${results.length ? uptimeBars(results) : '<p>No runs yet.</p>'}
          ${
            results.length >= 2
              ? chartFigure(
                  `latency-${index}`,
                  'Latency of each run (ms)',
                  `Latency of the last ${results.length} runs: from ${Math.min(...latencies)} to ${Math.max(...latencies)} ms, the last ${latencies.at(-1)} ms.`,
                )
              : '<p>Not enough runs for a chart yet.</p>'
          }
        </section>`;
        })
        .join('') || '<p>No health checks for this service.</p>'
    }`;
  withResults.forEach(({ results }, index) => {
    if (results.length >= 2)
      drawTimeChart(
        `latency-${index}`,
        results.map((r) => Date.parse(r.at) / 1000),
        [{ label: 'Latency', values: results.map((r) => r.latencyMs) }],
        { yLabel: 'ms', unit: ' ms' },
      );
  });
}

/** The value at a JSON Pointer (RFC 6901), or undefined. */
function at(document, pointer) {
  let value = document;
  for (const part of pointer.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = value[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return value;
}

const json = (value) => (value === undefined ? '' : `<code>${esc(JSON.stringify(value))}</code>`);

export async function configPage(main, name, query) {
  const base = `/v1/services/${enc(name)}`;
  const [service, { layers }] = await Promise.all([api('GET', base), api('GET', `${base}/configs`)]);
  const layer = layers.find((l) => l.layer === query.get('layer')) ?? layers[0];
  const to = Number(query.get('to')) || layer?.version || 1;
  const from = Number(query.get('from')) || Math.max(1, to - 1);
  main.innerHTML = `${serviceNav(service, '/config')}
    ${table(
      'Configuration layers',
      ['Layer', 'Latest version', 'Extends', 'Changed'],
      layers.map((l) => [esc(l.layer), number(l.version), esc(l.extends ?? '—'), time(l.updatedAt)]),
      'No configuration yet.',
    )}
    ${
      layer
        ? `<h2>Compare two versions</h2>
    <form id="config-diff-form" class="inline">
      <div><label for="diff-layer">Layer</label><select id="diff-layer" name="layer">${layers
        .map((l) => `<option value="${esc(l.layer)}"${l === layer ? ' selected' : ''}>${esc(l.layer)}</option>`)
        .join('')}</select></div>
      <div><label for="diff-from">From version</label><input id="diff-from" name="from" type="number" min="1" required value="${from}"></div>
      <div><label for="diff-to">To version</label><input id="diff-to" name="to" type="number" min="1" required value="${to}"></div>
      <div><button type="submit">Compare</button></div>
    </form>
    <div id="config-diff" aria-live="polite"></div>`
        : ''
    }`;
  const form = document.getElementById('config-diff-form');
  if (!form) return;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams(new FormData(form));
    location.hash = `#/services/${enc(name)}/config?${params}`;
  });
  const output = document.getElementById('config-diff');
  if (from === to) {
    output.innerHTML = '<p>Pick two different versions to compare.</p>';
    return;
  }
  try {
    const layerPath = `${base}/configs/${enc(layer.layer)}`;
    const [diff, before] = await Promise.all([
      api('GET', `${layerPath}/diff?from=${from}&to=${to}`),
      api('GET', `${layerPath}/versions/${from}`),
    ]);
    output.innerHTML = `<h3>${esc(layer.layer)}: version ${diff.from} → ${diff.to}</h3>
      ${table(
        `What changed from version ${diff.from} to ${diff.to}`,
        ['Change', 'Path', 'Before', 'After'],
        diff.patch.map((op) => [
          `<span class="op ${esc(op.op)}">${esc(op.op)}</span>`,
          `<code>${esc(op.path)}</code>`,
          op.op === 'add' ? '' : json(at(before.values, op.path)),
          op.op === 'remove' ? '' : json(op.value),
        ]),
        'No changes.',
      )}`;
  } catch (error) {
    output.innerHTML = `<p class="error" role="alert">${esc(error.message)}</p>`;
  }
}

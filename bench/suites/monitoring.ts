import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ensureBootstrapKey } from '#api-keys/api-keys.commands';
import { SYSTEM_PRINCIPAL } from '#kernel/roles';
import { ensureTable } from '#local/dynamo';
import { configureStore, documentClient, storeSettings } from '#kernel/store/client';
import { handler as healthCheckTick } from '../../functions/handlers/health-check-runner.ts';
import { MAX_CHECKS_PER_TICK, runnerConcurrency } from '../../functions/health-checks/runner.ts';
import { type BenchApi, benchApi } from '../api.ts';
import { type HttpRequestSpec, httpLoad } from '../http-load.ts';
import { type LoopResult, round, summarize } from '../stats.ts';
import type { BenchContext, Figures, Suite, SuiteResult, Table } from '../suite.ts';

/**
 * Monitoring (issue 4): health checks, metric ingestion and webhooks, in the local runtime.
 *
 * - One runner tick over 1,000 due health checks whose targets (node:http servers on loopback)
 *   answer after 100 ms: the scheduled handler (functions/handlers/health-check-runner.ts) called
 *   directly, as the runtime's timer and EventBridge do, with the table and the targets in another
 *   process (as on AWS, they are not the runner's CPU). Its wall time against the ideal for the
 *   runner's concurrency bound, ceil(checks / runnerConcurrency()) × 100 ms, and the process's
 *   peak RSS, sampled every 10 ms during the tick.
 * - Metric ingestion through POST /v1/metrics: batches of 1,000 samples (the most a request
 *   takes) and of 100, from `settings.concurrency` keep-alive clients.
 * - From a failing check to its webhook: a check with failureThreshold 1 against a target that
 *   answers 500, run through POST .../health-checks/{id}/run; a receiver on loopback records when
 *   the `healthcheck.state_changed` POST arrives. Only the HTTP API and the receiver are used, so
 *   the figure holds whatever carries events to webhooks inside the runtime.
 */

const SERVICE = 'bench-monitoring';
const METRICS_SERVICE = 'bench-metrics';
const ENVIRONMENT = 'prod';
/** Checks of the measured tick; never more than the runner takes in one tick. */
const TICK_CHECKS = Math.min(1000, MAX_CHECKS_PER_TICK);
/** How long each tick target waits before answering 200. */
const TARGET_DELAY_MS = 100;
/** Loopback servers the tick's checks are spread over. */
const TARGET_SERVERS = 4;
/** How often the process's RSS is sampled during the tick. */
const RSS_SAMPLE_MS = 10;
const METRIC_PASSES = [
  { batch: 1000, maxDurationMs: 6000 },
  { batch: 100, maxDurationMs: 3000 },
];
/** Failing-check rounds at scale 1, each with a fresh check. */
const WEBHOOK_ROUNDS = 15;
/** A webhook that has not arrived after this long is not coming: fail the bench rather than wait. */
const WEBHOOK_TIMEOUT_MS = 10_000;

export const monitoringSuite: Suite = {
  name: 'monitoring',
  targets: [
    {
      figure: 'checkTickVsIdeal',
      op: '<=',
      value: 1.5,
      description: `one runner tick over ${TICK_CHECKS} checks answering in ${TARGET_DELAY_MS} ms, against ceil(checks / concurrency) × ${TARGET_DELAY_MS} ms`,
    },
    {
      figure: 'checkToWebhookP50Ms',
      op: '<',
      value: 1000,
      description: 'failing check → healthcheck.state_changed webhook received, beyond the check itself (p50)',
    },
    {
      figure: 'checkToWebhookMaxMs',
      op: '<',
      value: 1000,
      description: 'failing check → healthcheck.state_changed webhook received, beyond the check itself (max)',
    },
  ],
  run: runMonitoring,
};

/** A node:http server on loopback; `handle` answers each request. */
async function listen(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Runs `task` for 0..count-1 with `limit` in flight. */
async function inParallel(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

const MB = 1024 * 1024;

interface TickFigures {
  checks: number;
  due: number;
  ran: number;
  targetHits: number;
  concurrency: number;
  wallMs: number;
  idealMs: number;
  rssBeforeMB: number;
  rssPeakMB: number;
  heapPeakMB: number;
  createMs: number;
  sampledLastResultOk: boolean;
  /** DynamoDB commands the tick sent, by name. */
  commands: Record<string, number>;
  /** CPU used during the tick by the runner's process and by the backend (dynalite and the targets). */
  runnerCpuMs: number;
  backendCpuMs: number;
}

const COUNTER = 'benchMonitoringCountCommands';

interface TickBackend {
  endpoint: string;
  targets: string[];
  /** The CPU the backend process has used so far, in ms. */
  cpuMs(): Promise<number>;
  /** Closes the backend and answers how many requests its targets got. */
  stop(): Promise<number>;
}

/** Starts bench/backends/tick-backend.mjs: dynalite and the 100 ms targets, in a process of their own. */
async function startTickBackend(): Promise<TickBackend> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('../backends/tick-backend.mjs', import.meta.url)), String(TARGET_SERVERS), String(TARGET_DELAY_MS)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error('The tick backend exited before it started.');
  const { endpoint, targets } = JSON.parse(first.value) as { endpoint: string; targets: string[] };
  return {
    endpoint,
    targets,
    async cpuMs() {
      child.stdin?.write('cpu\n');
      const answer = await lines.next();
      return answer.done ? 0 : (JSON.parse(answer.value) as { cpuMs: number }).cpuMs;
    },
    async stop() {
      child.stdin?.end();
      const last = await lines.next();
      return last.done ? 0 : (JSON.parse(last.value) as { hits: number }).hits;
    },
  };
}

/**
 * The runner tick, measured the way it runs on AWS: the table and the checked services are
 * elsewhere. Here they are another process on this machine (bench/backends/tick-backend.mjs), so
 * the wall time and memory are the runner's own, not dynalite's or the targets'. The API creates
 * the checks through the same runtime, pointed at that table for the duration.
 */
async function measureTick(context: BenchContext, api: BenchApi): Promise<TickFigures> {
  const { progress, settings } = context;
  const runtime = await context.runtime();
  const backend = await startTickBackend();
  const home = storeSettings();
  await ensureTable(backend.endpoint, home.tableName);
  configureStore({ ...home, endpoint: backend.endpoint });
  let targetHits = 0;
  try {
    await ensureBootstrapKey(runtime.adminKey, { actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'bench' }, requestId: 'bench-tick' });
    await api.expect(201, 'POST', '/v1/services', { name: SERVICE, kind: 'api' });
    progress(`monitoring: creating ${TICK_CHECKS} health checks (${settings.concurrency} clients)`);
    const ids: string[] = [];
    const createStarted = performance.now();
    await inParallel(TICK_CHECKS, settings.concurrency, async (i) => {
      const target = backend.targets[i % backend.targets.length] as string;
      const created = await api.expect(201, 'POST', `/v1/services/${SERVICE}/health-checks`, {
        environment: ENVIRONMENT,
        url: `${target}/health?check=${i}`,
        intervalSeconds: 60,
        timeoutMs: 5000,
        conditions: ['[STATUS] == 200', '[BODY].status == UP'],
      });
      ids.push(created.json.id as string);
    });
    const createMs = performance.now() - createStarted;

    // Created checks are due at once; a tick a second ahead sees all of them, and moves each to
    // its next slot an interval after that, out of reach of the runtime's own timer.
    const time = new Date(Date.now() + 1000).toISOString();
    const concurrency = runnerConcurrency();
    progress(`monitoring: one runner tick over ${TICK_CHECKS} checks (targets answer in ${TARGET_DELAY_MS} ms, ${concurrency} at a time)`);
    const before = process.memoryUsage();
    let rssPeak = before.rss;
    let heapPeak = before.heapUsed;
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      rssPeak = Math.max(rssPeak, usage.rss);
      heapPeak = Math.max(heapPeak, usage.heapUsed);
    }, RSS_SAMPLE_MS);
    // Every command the store's DocumentClient sends during the tick, counted by name.
    const commands: Record<string, number> = {};
    const client = documentClient();
    client.middlewareStack.add(
      (next, commandContext) => (args) => {
        const name = (commandContext.commandName ?? 'unknown').replace(/Command$/, '');
        commands[name] = (commands[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: COUNTER },
    );
    const backendCpuBefore = await backend.cpuMs();
    const ownCpuBefore = process.cpuUsage();
    const started = performance.now();
    let outcome: { due: number; ran: number };
    try {
      outcome = await healthCheckTick({ time }, { awsRequestId: 'bench-monitoring-tick' });
    } finally {
      clearInterval(sampler);
      client.middlewareStack.remove(COUNTER);
    }
    const wallMs = performance.now() - started;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const runnerCpuMs = (ownCpu.user + ownCpu.system) / 1000;
    const backendCpuMs = (await backend.cpuMs()) - backendCpuBefore;
    const after = process.memoryUsage();
    rssPeak = Math.max(rssPeak, after.rss);
    heapPeak = Math.max(heapPeak, after.heapUsed);
    if (outcome.ran === 0) throw new Error(`The runner tick ran no checks (${outcome.due} due).`);

    // One check read back: the run passed (the target was reachable and the conditions held).
    const sample = await api.expect(200, 'GET', `/v1/services/${SERVICE}/health-checks/${ids[0]}`);
    targetHits = await backend.stop();
    return {
      checks: ids.length,
      due: outcome.due,
      ran: outcome.ran,
      targetHits,
      concurrency,
      wallMs,
      idealMs: Math.ceil(outcome.ran / concurrency) * TARGET_DELAY_MS,
      rssBeforeMB: before.rss / MB,
      rssPeakMB: rssPeak / MB,
      heapPeakMB: heapPeak / MB,
      createMs,
      sampledLastResultOk: sample.json.lastResult?.ok === true,
      commands,
      runnerCpuMs,
      backendCpuMs,
    };
  } finally {
    configureStore(home);
    await backend.stop().catch(() => 0);
  }
}

interface WebhookRound {
  /** The run request, sent to answered. */
  runMs: number;
  /** Run request sent → the target answered 500: the check itself. */
  checkMs: number;
  /** The target answered → the webhook POST received: everything beyond the check. */
  beyondMs: number;
  /** The run response → the webhook POST received (negative when the webhook came first). */
  afterResponseMs: number;
}

interface Arrival {
  at: number;
  type: string;
  subject: string;
}

async function measureWebhooks(
  context: BenchContext,
  api: BenchApi,
): Promise<{ rounds: WebhookRound[]; others: string[]; retried: number }> {
  const { progress, settings } = context;
  const arrivals: Arrival[] = [];
  const waiters = new Set<() => void>();
  const receiver = await listen((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      response.writeHead(204).end();
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: string; data?: { subject?: string } };
        arrivals.push({ at, type: String(event.type), subject: String(event.data?.subject) });
      } catch {
        arrivals.push({ at, type: 'unparsable', subject: '' });
      }
      for (const wake of waiters) wake();
    });
  });
  let lastAnswer = 0;
  const failing = await listen((request, response) => {
    request.resume();
    response.writeHead(500, { 'content-type': 'application/json' }).end('{"status":"DOWN"}');
    lastAnswer = performance.now();
  });

  const waitFor = async (type: string, subject: string): Promise<Arrival> => {
    const deadline = performance.now() + WEBHOOK_TIMEOUT_MS;
    for (;;) {
      const found = arrivals.find((arrival) => arrival.type === type && arrival.subject === subject);
      if (found) return found;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`No ${type} webhook for ${subject} within ${WEBHOOK_TIMEOUT_MS} ms.`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        waiters.add(wake);
      });
    }
  };

  const rounds: WebhookRound[] = [];
  let retried = 0;
  let webhookId: string | undefined;
  try {
    const webhook = await api.expect(201, 'POST', '/v1/webhooks', {
      url: `${receiver.url}/steward`,
      events: ['healthcheck.*', 'alert.*'],
      description: 'bench monitoring receiver',
    });
    webhookId = webhook.json.id as string;
    const count = Math.max(5, Math.round(WEBHOOK_ROUNDS * settings.scale));
    progress(`monitoring: failing check → webhook, ${count} rounds`);
    for (let i = 0; rounds.length < count; i++) {
      if (i >= count * 2) throw new Error('Too many failing-check rounds without a state change from the run request.');
      const created = await api.expect(201, 'POST', `/v1/services/${SERVICE}/health-checks`, {
        environment: ENVIRONMENT,
        url: `${failing.url}/health?round=${i}`,
        intervalSeconds: 3600,
        timeoutMs: 5000,
        conditions: ['[STATUS] == 200'],
        failureThreshold: 1,
        successThreshold: 1,
      });
      const id = created.json.id as string;
      const subject = `healthcheck/${SERVICE}/${id}`;
      // Let the event of the creation settle, so the round starts from a quiet runtime.
      await sleep(20);
      const sent = performance.now();
      const run = await api.expect(200, 'POST', `/v1/services/${SERVICE}/health-checks/${id}/run`, {});
      const answered = performance.now();
      const targetAnswered = lastAnswer;
      if (!run.json.stateChanged || run.json.state !== 'unhealthy') {
        // The runtime's own tick ran the check first: this run changed nothing. Take another.
        retried++;
        continue;
      }
      const arrival = await waitFor('healthcheck.state_changed', subject).catch(async (error: Error) => {
        // Say what the runtime did: the deliveries it recorded, and what the receiver got.
        const deliveries = await api.request('GET', `/v1/webhooks/${webhookId}/deliveries`);
        const got = arrivals.map((arrival) => arrival.type).join(', ') || 'nothing';
        throw new Error(`${error.message} The receiver got: ${got}. Deliveries: ${JSON.stringify(deliveries.json).slice(0, 500)}`);
      });
      rounds.push({
        runMs: answered - sent,
        checkMs: targetAnswered - sent,
        beyondMs: arrival.at - targetAnswered,
        afterResponseMs: arrival.at - answered,
      });
      await api.expect(204, 'DELETE', `/v1/services/${SERVICE}/health-checks/${id}`);
    }
    // Anything else that reached the receiver (alert.* needs an alert rule and the evaluator's tick).
    const others = [...new Set(arrivals.filter((arrival) => arrival.type !== 'healthcheck.state_changed').map((arrival) => arrival.type))];
    return { rounds, others, retried };
  } finally {
    if (webhookId) await api.request('DELETE', `/v1/webhooks/${webhookId}`);
    await close(receiver.server);
    await close(failing.server);
  }
}

interface IngestPass {
  batch: number;
  result: LoopResult;
}

async function measureIngestion(context: BenchContext, baseUrl: string, adminKey: string): Promise<IngestPass[]> {
  const { progress, settings } = context;
  const passes: IngestPass[] = [];
  for (const pass of METRIC_PASSES) {
    progress(`monitoring: POST /v1/metrics, ${pass.batch} samples a request, ${settings.concurrency} clients`);
    // One body per pass; the samples take the time of arrival, and each is stored under its own ULID.
    const body = {
      samples: Array.from({ length: pass.batch }, (_, i) => ({
        name: `bench.metric_${i % 20}`,
        type: i % 2 === 0 ? 'gauge' : 'counter',
        value: i,
        labels: { service: METRICS_SERVICE, environment: ENVIRONMENT, instance: `i-${i % 50}` },
      })),
    };
    const spec: HttpRequestSpec = {
      method: 'POST',
      path: '/v1/metrics',
      headers: { authorization: `Bearer ${adminKey}` },
      body,
      expectStatus: 200,
    };
    const result = await httpLoad(
      {
        baseUrl,
        concurrency: settings.concurrency,
        requests: Math.max(20, Math.round(((200 * 1000) / pass.batch) * settings.scale)),
        warmup: settings.concurrency,
        maxDurationMs: pass.maxDurationMs * Math.min(1, settings.scale),
      },
      spec,
    );
    passes.push({ batch: pass.batch, result });
  }
  return passes;
}

async function runMonitoring(context: BenchContext): Promise<SuiteResult> {
  const runtime = await context.runtime();
  const api = benchApi(runtime);
  const { settings } = context;
  const tick = await measureTick(context, api);
  await api.expect(201, 'POST', '/v1/services', { name: SERVICE, kind: 'api' });
  const webhooks = await measureWebhooks(context, api);
  const ingestion = await measureIngestion(context, runtime.url, runtime.adminKey);

  const beyond = summarize(webhooks.rounds.map((r) => r.beyondMs));
  const check = summarize(webhooks.rounds.map((r) => r.checkMs));
  const run = summarize(webhooks.rounds.map((r) => r.runMs));
  const afterResponse = summarize(webhooks.rounds.map((r) => r.afterResponseMs));
  const big = ingestion.find((pass) => pass.batch === 1000)?.result as LoopResult;
  const small = ingestion.find((pass) => pass.batch === 100)?.result as LoopResult;

  const figures: Figures = {
    checkTickMs: round(tick.wallMs, 1),
    checkTickIdealMs: tick.idealMs,
    checkTickVsIdeal: round(tick.wallMs / tick.idealMs, 2),
    checkTickPeakRssMB: round(tick.rssPeakMB, 1),
    checkTickRunnerCpuMs: round(tick.runnerCpuMs, 0),
    checkTickBackendCpuMs: round(tick.backendCpuMs, 0),
    checkTickRssDeltaMB: round(tick.rssPeakMB - tick.rssBeforeMB, 1),
    metricSamplesPerSec: round(big.rps * 1000, 0),
    metricRequestsPerSec: round(big.rps, 1),
    metricBatchP50Ms: round(big.p50Ms),
    metricBatchP99Ms: round(big.p99Ms),
    metricSamplesPerSecBatch100: round(small.rps * 100, 0),
    metricRequestsPerSecBatch100: round(small.rps, 1),
    metricBatch100P50Ms: round(small.p50Ms),
    metricBatch100P99Ms: round(small.p99Ms),
    checkRunP50Ms: round(run.p50Ms),
    checkToWebhookP50Ms: round(beyond.p50Ms),
    checkToWebhookMaxMs: round(beyond.maxMs),
  };

  const ms = (value: number) => value.toFixed(1);
  const tables: Table[] = [
    {
      title: `Health-check runner: one tick over ${tick.checks} checks whose targets answer in ${TARGET_DELAY_MS} ms`,
      rows: [
        ['checks ran', 'concurrency', 'wall ms', 'ideal ms', 'wall / ideal', 'peak RSS MB', 'RSS Δ MB', 'peak heap MB'],
        [
          `${tick.ran} of ${tick.due} due`,
          String(tick.concurrency),
          ms(tick.wallMs),
          String(tick.idealMs),
          (tick.wallMs / tick.idealMs).toFixed(2),
          ms(tick.rssPeakMB),
          ms(tick.rssPeakMB - tick.rssBeforeMB),
          ms(tick.heapPeakMB),
        ],
      ],
      notes: [
        `The scheduled handler (functions/handlers/health-check-runner.ts) called once with a time 1 s ahead, so every check created is due; ideal = ceil(${tick.ran} / concurrency ${tick.concurrency}) × ${TARGET_DELAY_MS} ms.`,
        `Targets: ${TARGET_SERVERS} node:http servers on loopback in another process (bench/backends/tick-backend.mjs, with the table's dynalite), ${tick.targetHits} requests received; a check read back after the tick ${tick.sampledLastResultOk ? 'passed' : 'did NOT pass'}.`,
        `RSS sampled every ${RSS_SAMPLE_MS} ms during the tick, from ${ms(tick.rssBeforeMB)} MB before it; the runner's process (the API server idles meanwhile; the table and the targets are in the backend process).`,
        `DynamoDB commands per check during the tick: ${Object.entries(tick.commands)
          .map(([name, count]) => `${name} ${(count / Math.max(1, tick.ran)).toFixed(2)}`)
          .join(', ')}.`,
        `CPU during the tick: the runner's process ${ms(tick.runnerCpuMs)} ms (${ms(tick.runnerCpuMs / tick.ran)} ms a check: the SDK's marshalling and signing, the HTTP exchange, conditions), the backend's ${ms(tick.backendCpuMs)} ms (${ms(tick.backendCpuMs / Math.max(1, (tick.commands.UpdateItem ?? 0) + (tick.commands.BatchWriteItem ?? 0) + (tick.commands.BatchGetItem ?? 0)))} ms a table call, dynalite serving them one at a time). Each check waits for its claim and its completion write besides the target, so beyond the ideal is the runner's own CPU on a shared 2-core machine and writes queueing at the emulated table.`,
        `Creating the ${tick.checks} checks through the API (${settings.concurrency} clients) took ${ms(tick.createMs)} ms.`,
        ...(tick.ran !== tick.checks
          ? [`Only ${tick.ran} of ${tick.checks} checks ran in the measured tick: another runner took some (the bench expects none).`]
          : []),
        "The bench's runtime ticks once an hour (tickSeconds 3600), so its own timer runs no checks during the bench: the measured tick is the only one.",
      ],
    },
    {
      title: 'Metric ingestion: POST /v1/metrics through the local server',
      rows: [
        ['samples a request', 'samples/s', 'req/s', 'p50 ms', 'p99 ms', 'requests'],
        ...ingestion.map((pass) => [
          String(pass.batch),
          (pass.result.rps * pass.batch).toFixed(0),
          pass.result.rps.toFixed(1),
          pass.result.p50Ms.toFixed(2),
          pass.result.p99Ms.toFixed(2),
          String(pass.result.count),
        ]),
      ],
      notes: [
        `${settings.concurrency} keep-alive clients, each with one request in flight; latencies are per request, under that load.`,
        'Each sample is one item (plus one bucket marker per name and hour), written with BatchWriteItem 25 at a time to dynalite in this process.',
        ...(ingestion.some((pass) => pass.result.capped)
          ? ['The passes stop at their time cap (a few seconds), not at their request count.']
          : []),
      ],
    },
    {
      title: `Failing check → webhook: ${webhooks.rounds.length} rounds, a fresh check (failureThreshold 1) against a target answering 500`,
      rows: [
        ['', 'p50 ms', 'max ms'],
        ['POST .../run, sent to answered', ms(run.p50Ms), ms(run.maxMs)],
        ['the check: run sent → target answered', ms(check.p50Ms), ms(check.maxMs)],
        ['beyond the check: target answered → webhook received', ms(beyond.p50Ms), ms(beyond.maxMs)],
        ['run answered → webhook received', ms(afterResponse.p50Ms), ms(afterResponse.maxMs)],
      ],
      notes: [
        'The webhook (POST /v1/webhooks, events healthcheck.* and alert.*) points at a node:http receiver on loopback that records when each POST has arrived and verifies nothing.',
        'Measured event: healthcheck.state_changed (unknown → unhealthy). A negative "run answered → webhook" means the webhook came before the run response.',
        'alert.firing is not measured: alert rules are evaluated on the runner tick (every 60 s locally, every minute on AWS), not when a check fails, so its delay is bounded by the tick, not by this path.',
        ...(webhooks.others.length > 0 ? [`Other events received: ${webhooks.others.join(', ')}.`] : []),
        ...(webhooks.retried > 0
          ? [`${webhooks.retried} rounds retried: the runtime's own tick ran the new check before the run request.`]
          : []),
      ],
    },
  ];
  return { figures, tables };
}

import { parseSemVer, precedenceKey } from '#services/semver.domain';
import type { Runtime } from '#local/runtime';
import { type HttpRequestSpec, httpLoad } from '../http-load.ts';
import { interleaved, type LoopOptions, type LoopResult, round } from '../stats.ts';
import { storeGetVersionLatency, storeQueryVersionsLatency } from '../store-latency.ts';
import type { BenchContext, Figures, Suite, SuiteResult } from '../suite.ts';

/**
 * The service and version registry through the local server (HTTP → authorizer → middy →
 * store), beside raw store reads of the same items through the same DocumentClient.
 *
 * Latency (p50/p99) is measured with one client sending requests one after another, so it is
 * the cost of one request, not of a queue; throughput (req/s) with `concurrency` clients.
 */

export const SERVICE = 'bench-registry';
export const VERSION_COUNT = 100;
/** The version `GET one version` reads: in the middle of the partition. */
const READ_VERSION = '1.50.0';
const CREATE_SERVICE_PREFIX = 'bench-create';
/** Latency passes alternate API and raw store rounds this many times. */
const ROUNDS = 5;

/**
 * Request counts at scale 1, and time caps. An idle 2-core machine finishes every pass well
 * within its cap (the suite takes about 50 s); on a busy one the caps keep the whole run under
 * about 90 s, with fewer samples (the table says so).
 */
const PASSES = {
  pointRead: { warmup: 500, latency: 3000, throughput: 3000, warmupCapMs: 2000, latencyCapMs: 20_000, throughputCapMs: 5000 },
  listRead: { warmup: 100, latency: 800, throughput: 600, warmupCapMs: 2000, latencyCapMs: 20_000, throughputCapMs: 6000 },
  create: { warmup: 100, latency: 800, throughput: 1000, warmupCapMs: 2000, latencyCapMs: 7000, throughputCapMs: 7000 },
};
type Pass = (typeof PASSES)[keyof typeof PASSES];

function versionBody(version: string) {
  return {
    version,
    description: `Release ${version} of the bench service.`,
    changes: [
      { type: 'additive', description: 'Adds the refunds endpoint.', endpoints: ['POST /refunds', 'GET /refunds/{id}'] },
      { type: 'fix', description: 'Rounds amounts half-even.' },
    ],
    artifact: { type: 'container-image', uri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/bench:${version}` },
    metadata: { commit: 'a1b2c3d4e5f6', pipeline: 'bench' },
  };
}

export const registrySuite: Suite = {
  name: 'registry',
  targets: [
    {
      figure: 'getVersionP50VsStore',
      op: '<=',
      value: 3,
      description: 'GET one version p50 ÷ raw GetItem p50 (the request makes two reads: API key, version)',
    },
  ],
  run: runRegistry,
};

/** The requests the registry suite measures, against a runtime `prepareRegistry` has filled. */
export interface RegistryScenario {
  getSpec: HttpRequestSpec;
  listSpec: HttpRequestSpec;
  /** A fresh spec per pass, so every pass registers new versions. */
  createSpec: () => HttpRequestSpec;
  /** The sort key of the version `getSpec` reads, for the raw GetItem. */
  precedence: string;
}

/**
 * Setup: one service with 100 versions (which also warms the write path), and one service per
 * create worker, so concurrent creates do not contend for one aggregate.
 */
export async function prepareRegistry(runtime: Runtime, createWorkers: number): Promise<RegistryScenario> {
  const auth = { authorization: `Bearer ${runtime.adminKey}` };
  const once = (requests: number, spec: HttpRequestSpec) =>
    httpLoad({ baseUrl: runtime.url, concurrency: 1, requests, maxDurationMs: 60_000 }, spec);
  await once(1, { method: 'POST', path: '/v1/services', headers: auth, body: { name: SERVICE, kind: 'api' }, expectStatus: 201 });
  await once(VERSION_COUNT, {
    method: 'POST',
    path: `/v1/services/${SERVICE}/versions`,
    headers: auth,
    body: (seq) => versionBody(`1.${seq}.0`),
    expectStatus: 201,
  });
  await once(Math.max(1, createWorkers), {
    method: 'POST',
    path: '/v1/services',
    headers: auth,
    body: (seq) => ({ name: `${CREATE_SERVICE_PREFIX}-${seq}`, kind: 'api' }),
    expectStatus: 201,
  });

  const parsed = parseSemVer(READ_VERSION);
  if (!parsed.ok) throw new Error(`bench version ${READ_VERSION} is not SemVer`);
  let createPass = 0;
  return {
    precedence: precedenceKey(parsed.value),
    getSpec: { method: 'GET', path: `/v1/services/${SERVICE}/versions/${READ_VERSION}`, headers: auth, expectStatus: 200 },
    listSpec: { method: 'GET', path: `/v1/services/${SERVICE}/versions?limit=${VERSION_COUNT}`, headers: auth, expectStatus: 200 },
    createSpec: () => {
      // `seq` is unique across a whole loop, warm-up included; the pass number keeps passes apart.
      const pass = ++createPass;
      return {
        method: 'POST',
        path: (_, worker) => `/v1/services/${CREATE_SERVICE_PREFIX}-${worker}/versions`,
        headers: auth,
        body: (seq) => versionBody(`${pass}.${seq}.0`),
        expectStatus: 201,
      };
    },
  };
}

async function runRegistry(context: BenchContext): Promise<SuiteResult> {
  const { settings, progress } = context;
  const runtime = await context.runtime();
  const http = (options: LoopOptions, spec: HttpRequestSpec) => httpLoad({ ...options, baseUrl: runtime.url }, spec);
  const count = (requests: number) => Math.max(50, Math.round(requests * settings.scale));
  /** One client, requests one after another: latency. */
  const serial = (requests: number, warmup: number, capMs: number): LoopOptions => ({
    concurrency: 1,
    requests,
    warmup,
    maxDurationMs: capMs,
  });
  /** `concurrency` clients: throughput. */
  const loaded = (pass: Pass): LoopOptions => ({
    concurrency: settings.concurrency,
    requests: count(pass.throughput),
    warmup: settings.concurrency * 10,
    maxDurationMs: pass.throughputCapMs,
  });
  /** Warm-up, then ROUNDS latency rounds alternating the API request and its raw store read. */
  const compare = async (pass: Pass, store: (options: LoopOptions) => Promise<LoopResult>, api: HttpRequestSpec) => {
    const warmup = serial(count(pass.warmup), 0, pass.warmupCapMs);
    await store(warmup);
    await http(warmup, api);
    const round = serial(Math.ceil(count(pass.latency) / ROUNDS), 10, pass.latencyCapMs / (2 * ROUNDS));
    return interleaved(ROUNDS, { store: () => store(round), api: () => http(round, api) });
  };

  progress(`registry: creating ${SERVICE} with ${VERSION_COUNT} versions`);
  const { getSpec, listSpec, createSpec, precedence } = await prepareRegistry(runtime, settings.concurrency);

  progress('registry: GetItem vs GET one version (latency)');
  const getVsStore = (options: LoopOptions) => storeGetVersionLatency(options, SERVICE, precedence);
  const { store: storeGet, api: apiGet } = await compare(PASSES.pointRead, getVsStore, getSpec);
  progress(`registry: GetItem vs GET one version (throughput, ${settings.concurrency} clients)`);
  const storeGetLoaded = await getVsStore(loaded(PASSES.pointRead));
  const apiGetLoaded = await http(loaded(PASSES.pointRead), getSpec);

  progress('registry: Query vs GET versions?limit=100 (latency)');
  const queryVsStore = (options: LoopOptions) => storeQueryVersionsLatency(options, SERVICE, VERSION_COUNT);
  const { store: storeQuery, api: apiList } = await compare(PASSES.listRead, queryVsStore, listSpec);
  progress(`registry: Query vs GET versions?limit=100 (throughput, ${settings.concurrency} clients)`);
  const storeQueryLoaded = await queryVsStore(loaded(PASSES.listRead));
  const apiListLoaded = await http(loaded(PASSES.listRead), listSpec);

  progress('registry: POST versions (latency)');
  const { create } = PASSES;
  await http(serial(count(create.warmup), 0, create.warmupCapMs), createSpec());
  const apiCreate = await http(serial(count(create.latency), 10, create.latencyCapMs), createSpec());
  progress(`registry: POST versions (throughput, ${settings.concurrency} clients)`);
  const apiCreateLoaded = await http(loaded(create), createSpec());

  const figures: Figures = {
    getVersionRps: round(apiGetLoaded.rps, 1),
    getVersionP50Ms: round(apiGet.p50Ms),
    getVersionP99Ms: round(apiGet.p99Ms),
    storeGetRps: round(storeGetLoaded.rps, 1),
    storeGetP50Ms: round(storeGet.p50Ms),
    storeGetP99Ms: round(storeGet.p99Ms),
    getVersionP50VsStore: round(apiGet.p50Ms / storeGet.p50Ms, 2),
    listVersionsRps: round(apiListLoaded.rps, 1),
    listVersionsP50Ms: round(apiList.p50Ms),
    listVersionsP99Ms: round(apiList.p99Ms),
    storeQueryRps: round(storeQueryLoaded.rps, 1),
    storeQueryP50Ms: round(storeQuery.p50Ms),
    storeQueryP99Ms: round(storeQuery.p99Ms),
    listVersionsP50VsStore: round(apiList.p50Ms / storeQuery.p50Ms, 2),
    createVersionRps: round(apiCreateLoaded.rps, 1),
    createVersionP50Ms: round(apiCreate.p50Ms),
    createVersionP99Ms: round(apiCreate.p99Ms),
  };

  const ms = (value: number) => value.toFixed(2);
  const rps = (result: LoopResult) => result.rps.toFixed(0);
  const ratio = (api: LoopResult, store: LoopResult) => `${(api.p50Ms / store.p50Ms).toFixed(2)}×`;
  return {
    figures,
    tables: [
      {
        title: 'Registry API through the local server, beside raw store reads of the same data',
        rows: [
          ['request', 'req/s', 'p50 ms', 'p99 ms', 'raw store read', 'req/s', 'p50 ms', 'p99 ms', 'p50 vs store'],
          [
            `GET .../versions/${READ_VERSION}`,
            rps(apiGetLoaded),
            ms(apiGet.p50Ms),
            ms(apiGet.p99Ms),
            'GetItem (1 version)',
            rps(storeGetLoaded),
            ms(storeGet.p50Ms),
            ms(storeGet.p99Ms),
            ratio(apiGet, storeGet),
          ],
          [
            `GET .../versions?limit=${VERSION_COUNT}`,
            rps(apiListLoaded),
            ms(apiList.p50Ms),
            ms(apiList.p99Ms),
            `Query (${VERSION_COUNT} versions)`,
            rps(storeQueryLoaded),
            ms(storeQuery.p50Ms),
            ms(storeQuery.p99Ms),
            ratio(apiList, storeQuery),
          ],
          ['POST .../versions (create)', rps(apiCreateLoaded), ms(apiCreate.p50Ms), ms(apiCreate.p99Ms), '—', '', '', '', ''],
        ],
        notes: [
          `p50/p99: one client, sequential, after warm-up (${apiGet.count} GETs, ${apiList.count} lists, ${apiCreate.count} creates; as many store reads, in ${ROUNDS} rounds alternating with the API's).`,
          `req/s: ${settings.concurrency} concurrent keep-alive clients (${apiGetLoaded.count} GETs, ${apiListLoaded.count} lists, ${apiCreateLoaded.count} creates).`,
          'Everything runs in this one Node process: load generator, local server, handlers and dynalite.',
          ...([
            storeGet,
            apiGet,
            storeGetLoaded,
            apiGetLoaded,
            storeQuery,
            apiList,
            storeQueryLoaded,
            apiListLoaded,
            apiCreate,
            apiCreateLoaded,
          ].some((result) => result.capped)
            ? ['Some passes reached their time cap before their request count: the machine was busy; figures are from fewer samples.']
            : []),
        ],
      },
    ],
  };
}

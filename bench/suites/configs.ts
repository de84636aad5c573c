import { documentClient } from '#kernel/store/client';
import { benchApi } from '../api.ts';
import { type HttpRequestSpec, httpLoad } from '../http-load.ts';
import { interleaved, type LoopOptions, type LoopResult, round } from '../stats.ts';
import type { BenchContext, Figures, Suite, SuiteResult } from '../suite.ts';

/**
 * Configuration (issue 5): the resolved-config fetch services make at start and on a timer,
 * through the local server (HTTP → authorizer → middy → store), for a config of about 50 KB
 * resolved from a 3-layer chain (base → staging → prod, with variables), with a warm ETag
 * (If-None-Match → 304, no body) and without (200, the merged document).
 *
 * And the claim of the 304 path: "at most one table read". Every DynamoDB command this process
 * sends is counted by a middleware on the store's DocumentClient (the one the handlers use),
 * while one client fetches sequentially; the authorizer's API-key GetItem is told apart by its
 * key and subtracted.
 */

const SERVICE = 'bench-config';
const ENVIRONMENT = 'prod';
const PATH = `/v1/services/${SERVICE}/configs/${ENVIRONMENT}`;
/** Groups of 40 settings in the base layer: the resolved document comes to about 50 KB. */
const BASE_GROUPS = 9;
/** Requests per counted pass: every one sent alone, so the commands counted are its own. */
const COUNTED_REQUESTS = 50;
const ROUNDS = 5;
const PASSES = {
  notModified: { warmup: 300, latency: 2500, throughput: 3000, latencyCapMs: 8000, throughputCapMs: 4000 },
  full: { warmup: 100, latency: 800, throughput: 800, latencyCapMs: 10_000, throughputCapMs: 6000 },
};
type Pass = (typeof PASSES)[keyof typeof PASSES];

const READ_COMMANDS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand']);
const COUNTER = 'benchCountTableCommands';

export const configsSuite: Suite = {
  name: 'configs',
  targets: [
    {
      figure: 'config304TableReads',
      op: '<=',
      value: 1,
      description: 'table reads of a 304 resolved-config fetch (authorizer’s API-key read not counted)',
    },
  ],
  run: runConfigs,
};

/** `count` settings of about `bytes` bytes each, named `<prefix><i>`. */
function settings(prefix: string, count: number, bytes: number, value: (i: number) => string = () => ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const head = value(i);
    out[`${prefix}${i}`] = { enabled: i % 3 !== 0, limit: 100 + i, note: head + 'n'.repeat(Math.max(0, bytes - head.length - 60)) };
  }
  return out;
}

/**
 * The chain: base (most of the bytes: groups of 40 settings), staging (overrides a
 * group and adds one), prod (overrides another with `${var:...}` placeholders and adds its own).
 */
function layers() {
  const base: Record<string, unknown> = { service: { name: SERVICE, owner: 'bench', tier: 1 } };
  for (let g = 0; g < BASE_GROUPS; g++) base[`group${g}`] = settings(`g${g}setting`, 40, 137);
  const staging = {
    group0: settings('g0setting', 20, 130, (i) => `staging override ${i} `),
    staging: settings('stagingOnly', 20, 130),
    log: { level: 'debug', format: 'json' },
  };
  const prod = {
    group1: settings('g1setting', 20, 130, (i) => `postgres://\${var:DB_USER}@\${var:DB_HOST}:5432/shard${i} `),
    prod: settings('prodOnly', 15, 130, (i) => `https://\${var:API_HOST}/v${i} `),
    log: { level: 'warn' },
    database: { url: 'postgres://${var:DB_USER}:${var:DB_PASSWORD_REF}@${var:DB_HOST}:5432/main', pool: 20 },
  };
  const variables = {
    DB_USER: 'app',
    DB_HOST: 'db.prod.internal',
    DB_PASSWORD_REF: 'secret:db-password',
    API_HOST: 'api.prod.example.com',
  };
  return { base, staging, prod, variables };
}

interface Counted {
  /** Per request, by command name. */
  commands: Record<string, number>;
  /** Table reads per request, the authorizer's included. */
  reads: number;
  /** The authorizer's API-key reads per request. */
  authorizerReads: number;
  /** Read capacity units per request, the authorizer's excluded (DynamoDB's ConsumedCapacity, as dynalite computes it). */
  readUnits: number;
}

/**
 * Counts the DynamoDB commands sent through the store's DocumentClient while `run` sends
 * `requests` requests one after another. Asks for ConsumedCapacity on reads while counting
 * (only then: the timed passes send the handlers' requests unchanged).
 */
async function countCommands(requests: number, run: () => Promise<unknown>): Promise<Counted> {
  const client = documentClient();
  const commands: Record<string, number> = {};
  let reads = 0;
  let authorizerReads = 0;
  let readUnits = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      commands[name] = (commands[name] ?? 0) + 1;
      if (!READ_COMMANDS.has(name)) return next(args);
      reads++;
      const input = args.input as { Key?: { PK?: unknown } };
      const authorizer = name === 'GetItemCommand' && String(input.Key?.PK ?? '').startsWith('KEYHASH#');
      if (authorizer) authorizerReads++;
      const result = await next({ ...args, input: { ...(args.input as object), ReturnConsumedCapacity: 'TOTAL' } });
      if (!authorizer) {
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> })
          .ConsumedCapacity;
        for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) readUnits += entry.CapacityUnits ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: COUNTER },
  );
  try {
    await run();
  } finally {
    client.middlewareStack.remove(COUNTER);
  }
  const per = (value: number) => value / requests;
  return {
    commands: Object.fromEntries(Object.entries(commands).map(([name, count]) => [name, per(count)])),
    reads: per(reads),
    authorizerReads: per(authorizerReads),
    readUnits: per(readUnits),
  };
}

async function runConfigs(context: BenchContext): Promise<SuiteResult> {
  const { settings: benchSettings, progress } = context;
  const runtime = await context.runtime();
  const api = benchApi(runtime);

  progress('configs: base → staging → prod chain with variables (about 50 KB resolved)');
  await api.expect(201, 'POST', '/v1/services', { name: SERVICE, kind: 'api' });
  const { base, staging, prod, variables } = layers();
  await api.expect(201, 'PUT', `/v1/services/${SERVICE}/configs/base`, { values: base, message: 'bench base' });
  await api.expect(201, 'PUT', `/v1/services/${SERVICE}/configs/staging`, { values: staging, extends: 'base', message: 'bench staging' });
  await api.expect(200, 'PUT', `/v1/services/${SERVICE}/configs/${ENVIRONMENT}/variables`, variables);
  await api.expect(201, 'PUT', PATH, { values: prod, extends: 'staging', message: 'bench prod' });
  const fetched = await api.expect(200, 'GET', PATH);
  const resolvedBytes = Buffer.byteLength(JSON.stringify(fetched.json));
  const etag = fetched.headers.get('etag') ?? '';
  if (JSON.stringify(fetched.json.values).includes('${var:')) throw new Error('The resolved configuration still has placeholders.');
  if (fetched.json.layers.length !== 3) throw new Error(`Expected a 3-layer chain, got ${JSON.stringify(fetched.json.layers)}.`);
  if (!etag) throw new Error('The resolved configuration came without an ETag.');

  const auth = { authorization: `Bearer ${runtime.adminKey}` };
  const notModified: HttpRequestSpec = { method: 'GET', path: PATH, headers: { ...auth, 'if-none-match': etag }, expectStatus: 304 };
  const full: HttpRequestSpec = { method: 'GET', path: PATH, headers: auth, expectStatus: 200 };
  const http = (options: LoopOptions, spec: HttpRequestSpec) => httpLoad({ ...options, baseUrl: runtime.url }, spec);
  const count = (requests: number) => Math.max(50, Math.round(requests * benchSettings.scale));

  progress('configs: DynamoDB commands per fetch (304 and 200)');
  await http({ concurrency: 1, requests: count(PASSES.notModified.warmup) }, notModified);
  await http({ concurrency: 1, requests: count(PASSES.full.warmup) }, full);
  const counted304 = await countCommands(COUNTED_REQUESTS, () => http({ concurrency: 1, requests: COUNTED_REQUESTS }, notModified));
  const counted200 = await countCommands(COUNTED_REQUESTS, () => http({ concurrency: 1, requests: COUNTED_REQUESTS }, full));

  progress('configs: resolved fetch with and without a warm ETag (latency)');
  const serial = (pass: Pass): LoopOptions => ({
    concurrency: 1,
    requests: Math.ceil(count(pass.latency) / ROUNDS),
    warmup: 10,
    maxDurationMs: pass.latencyCapMs / ROUNDS,
  });
  const { notModified: latency304, full: latency200 } = await interleaved(ROUNDS, {
    notModified: () => http(serial(PASSES.notModified), notModified),
    full: () => http(serial(PASSES.full), full),
  });
  progress(`configs: resolved fetch with and without a warm ETag (throughput, ${benchSettings.concurrency} clients)`);
  const loaded = (pass: Pass): LoopOptions => ({
    concurrency: benchSettings.concurrency,
    requests: count(pass.throughput),
    warmup: benchSettings.concurrency * 5,
    maxDurationMs: pass.throughputCapMs,
  });
  const loaded304 = await http(loaded(PASSES.notModified), notModified);
  const loaded200 = await http(loaded(PASSES.full), full);

  const tableReads = (counted: Counted) => counted.reads - counted.authorizerReads;
  const figures: Figures = {
    configResolvedKB: round(resolvedBytes / 1024, 1),
    config304Rps: round(loaded304.rps, 1),
    config304P50Ms: round(latency304.p50Ms),
    config304P99Ms: round(latency304.p99Ms),
    config200Rps: round(loaded200.rps, 1),
    config200P50Ms: round(latency200.p50Ms),
    config200P99Ms: round(latency200.p99Ms),
    config304TableReads: round(tableReads(counted304), 2),
    config200TableReads: round(tableReads(counted200), 2),
    config304ReadUnits: round(counted304.readUnits, 2),
    config200ReadUnits: round(counted200.readUnits, 2),
  };

  const ms = (value: number) => value.toFixed(2);
  const commandList = (counted: Counted) =>
    Object.entries(counted.commands)
      .map(([name, perRequest]) => `${name.replace(/Command$/, '')} ${perRequest.toFixed(2)}`)
      .join(', ');
  const row = (label: string, loadedResult: LoopResult, latency: LoopResult, counted: Counted) => [
    label,
    loadedResult.rps.toFixed(0),
    ms(latency.p50Ms),
    ms(latency.p99Ms),
    tableReads(counted).toFixed(2),
    counted.readUnits.toFixed(1),
  ];
  const authorizerNote =
    counted304.authorizerReads === 1 && counted200.authorizerReads === 1
      ? 'The authorizer read the API key once per request (GetItem of KEYHASH#…), as expected; it is not counted above.'
      : `The authorizer read the API key ${counted304.authorizerReads.toFixed(2)} (304) and ${counted200.authorizerReads.toFixed(2)} (200) times per request; not counted above.`;
  return {
    figures,
    tables: [
      {
        title: `Resolved-config fetch, ${(resolvedBytes / 1024).toFixed(1)} KB from base → staging → prod with variables, through the local server`,
        rows: [
          ['GET .../configs/prod', 'req/s', 'p50 ms', 'p99 ms', 'table reads', 'read units'],
          row('If-None-Match: current ETag → 304', loaded304, latency304, counted304),
          row('no If-None-Match → 200 (merged body)', loaded200, latency200, counted200),
        ],
        notes: [
          `p50/p99: one client, sequential, after warm-up (${latency304.count} 304s, ${latency200.count} 200s, in ${ROUNDS} alternating rounds); req/s: ${benchSettings.concurrency} keep-alive clients (${loaded304.count} and ${loaded200.count}).`,
          `Table reads: DynamoDB read commands (GetItem, BatchGetItem, Query) per request, over ${COUNTED_REQUESTS} sequential requests each, counted by a middleware on the store's DocumentClient.`,
          `Commands per request, authorizer included — 304: ${commandList(counted304)}; 200: ${commandList(counted200)}.`,
          authorizerNote,
          'Read units: the ConsumedCapacity DynamoDB reports (strongly consistent: 1 unit per 4 KB of each item read), asked for only while counting.',
          ...([latency304, latency200, loaded304, loaded200].some((result) => result.capped)
            ? ['Some passes reached their time cap before their request count: the machine was busy; figures are from fewer samples.']
            : []),
        ],
      },
    ],
  };
}

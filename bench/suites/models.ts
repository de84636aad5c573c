import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#kernel/store/client';
import { keys } from '#kernel/store/keys';
import { granuleLabel, resolveWindow, type TelemetryWindow } from '../../functions/models/telemetry.domain.ts';
import { benchApi } from '../api.ts';
import { type HttpRequestSpec, httpLoad } from '../http-load.ts';
import { closedLoop, type LoopOptions, type LoopResult, round } from '../stats.ts';
import type { BenchContext, Figures, Suite, SuiteResult, Table } from '../suite.ts';

/**
 * Models (issue 10), in the local runtime through its HTTP server:
 *
 * - Inference ingestion: POST /v1/services/{name}/inferences with batches of 1,000 records from 8
 *   keep-alive clients, every record of the run landing in the same few cells (two versions, the
 *   current minute, hour and day): the worst case for the cells' conditional writes. Records per
 *   second over the measured part.
 * - A 24-hour evaluation: GET .../versions/{v}/evaluation?window=24h over a version with inferences
 *   in every minute of the last 24 hours (1,440 minute cells, 25 hour cells), its p50 against the
 *   p50 of one raw Query of the partition it reads (the 25 hour cells, through the same
 *   DocumentClient), alternated in rounds so both see the same machine.
 */

const SERVICE = 'bench-model';
const VERSIONS = ['1.0.0', '2.0.0'];
const BATCH = 1000;
const CLIENTS = 8;
const ROUNDS = 4;
const DIGEST = `sha256:${'0f'.repeat(32)}`;

export const modelsSuite: Suite = {
  name: 'models',
  targets: [
    {
      figure: 'inferenceRecordsPerSec',
      op: '>=',
      value: 50_000,
      description: `POST .../inferences, ${BATCH} records a request, ${CLIENTS} clients, records counted per second`,
    },
    {
      figure: 'evaluate24hVsStoreQuery',
      op: '<=',
      value: 3,
      description: 'GET .../evaluation?window=24h p50 against one raw Query of the hour cells it reads (p50)',
    },
  ],
  run: runModels,
};

function record(i: number, version: string, at?: string) {
  return {
    version,
    ...(at ? { at } : {}),
    success: i % 50 !== 0,
    latencyMs: 20 + ((i * 37) % 400),
    confidence: 0.5 + ((i * 13) % 50) / 100,
    inputTokens: 200 + (i % 100),
    outputTokens: 50 + (i % 30),
    ...(i % 50 === 0 ? { error: i % 100 === 0 ? 'timeout' : 'upstream' } : {}),
    client: `client-${i % 5}`,
  };
}

async function prepare(context: BenchContext): Promise<void> {
  const runtime = await context.runtime();
  const api = benchApi(runtime);
  await api.expect(201, 'POST', '/v1/services', { name: SERVICE, kind: 'model' });
  for (const version of VERSIONS) {
    const model = {
      artifactUri: `s3://bench/${version}`,
      artifactDigest: DIGEST,
      capabilities: ['chat'],
      pricing: { inputPer1kTokens: 0.5, outputPer1kTokens: 1.5, currency: 'USD' },
    };
    await api.expect(201, 'POST', `/v1/services/${SERVICE}/versions`, { version, model });
  }
  // 24 hours of history for the evaluation: a record in every minute, in batches of 1,440 (one a minute).
  context.progress('models: 24 hours of inferences for the evaluation (a record in every minute)');
  const now = Date.now();
  for (let pass = 0; pass < 3; pass++) {
    const records = Array.from({ length: 1440 }, (_, minute) =>
      record(minute + pass, VERSIONS[0] as string, new Date(now - (minute + 1) * 60_000 + 1000).toISOString()),
    );
    await api.expect(202, 'POST', `/v1/services/${SERVICE}/inferences`, { records });
  }
}

/** The Query evaluation makes: the version's hour cells in the production environment over the last 24 hours. */
function storeQueryLatency(options: LoopOptions): Promise<LoopResult> {
  const client = documentClient();
  return closedLoop(options, async () => {
    const window = resolveWindow({ window: '24h' }, Date.now()) as TelemetryWindow;
    const { Items } = await client.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.inferenceCells(SERVICE, VERSIONS[0] as string),
          ':from': keys.inferenceCellSortKey('hour', 'prod', granuleLabel(window.fromMs, 'hour')),
          ':to': keys.inferenceCellSortKey('hour', 'prod', granuleLabel(window.toMs - 3_600_000, 'hour')),
        },
        ProjectionExpression: '#start, #data',
        ExpressionAttributeNames: { '#start': 'start', '#data': 'data' },
      }),
    );
    if ((Items?.length ?? 0) < 24) throw new Error(`Expected 24 or 25 hour cells, read ${Items?.length ?? 0}.`);
  });
}

async function runModels(context: BenchContext): Promise<SuiteResult> {
  const { settings, progress } = context;
  const runtime = await context.runtime();
  const auth = { authorization: `Bearer ${runtime.adminKey}` };
  await prepare(context);

  progress(`models: POST .../inferences, ${BATCH} records a request, ${CLIENTS} clients`);
  const bodies = VERSIONS.map((version) => ({ records: Array.from({ length: BATCH }, (_, i) => record(i, version)) }));
  const ingest: HttpRequestSpec = {
    method: 'POST',
    path: `/v1/services/${SERVICE}/inferences`,
    headers: auth,
    body: (seq) => bodies[seq % bodies.length] as object,
    expectStatus: 202,
  };
  const ingestion = await httpLoad(
    {
      baseUrl: runtime.url,
      concurrency: CLIENTS,
      requests: Math.max(40, Math.round(400 * settings.scale)),
      warmup: CLIENTS * 2,
      maxDurationMs: 30_000,
    },
    ingest,
  );

  progress('models: GET .../evaluation?window=24h against one raw Query of its hour cells (latency, alternated)');
  const evaluate: HttpRequestSpec = {
    method: 'GET',
    path: `/v1/services/${SERVICE}/versions/${VERSIONS[0]}/evaluation?window=24h`,
    headers: auth,
    expectStatus: 200,
  };
  const serial = (requests: number): LoopOptions => ({ concurrency: 1, requests, warmup: 10, maxDurationMs: 15_000 });
  const perRound = Math.max(25, Math.round((200 * settings.scale) / ROUNDS));
  const apiLatencies: number[] = [];
  const storeLatencies: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    storeLatencies.push(...(await storeQueryLatency(serial(perRound))).samples);
    apiLatencies.push(...(await httpLoad({ ...serial(perRound), baseUrl: runtime.url }, evaluate)).samples);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] as number;
  const apiP50 = median(apiLatencies);
  const storeP50 = median(storeLatencies);
  const evaluation = await benchApi(runtime).expect(200, 'GET', evaluate.path as string);

  const figures: Figures = {
    inferenceRecordsPerSec: round(ingestion.rps * BATCH, 0),
    inferenceRequestsPerSec: round(ingestion.rps, 1),
    inferenceBatchP50Ms: round(ingestion.p50Ms),
    inferenceBatchP99Ms: round(ingestion.p99Ms),
    evaluate24hP50Ms: round(apiP50),
    evaluate24hStoreQueryP50Ms: round(storeP50),
    evaluate24hVsStoreQuery: round(apiP50 / storeP50, 2),
  };
  const tables: Table[] = [
    {
      title: 'Models: inference ingestion and a 24-hour evaluation through the local server',
      rows: [
        ['measure', 'value', 'p50 ms', 'p99 ms', 'requests'],
        [
          `POST .../inferences (${BATCH} records, ${CLIENTS} clients)`,
          `${(ingestion.rps * BATCH).toFixed(0)} records/s`,
          ingestion.p50Ms.toFixed(1),
          ingestion.p99Ms.toFixed(1),
          String(ingestion.count),
        ],
        [
          'GET .../evaluation?window=24h',
          `${evaluation.json.samples} samples, ${evaluation.json.verdict}`,
          apiP50.toFixed(2),
          '',
          String(apiLatencies.length),
        ],
        ['raw Query of the 25 hour cells', '', storeP50.toFixed(2), '', String(storeLatencies.length)],
      ],
      notes: [
        `Ingestion: every record of the run falls in the same cells (${VERSIONS.length} versions × the current minute, hour and day), each batch merged into them with a read and a write conditioned on the cell's revision; in one process, writes of one cell queue and go together.`,
        `Evaluation: ${ROUNDS} rounds alternating the raw Query and the API request, one at a time; the API request also authenticates, reads the service and the policy, merges the cells' sketches and judges the policy.`,
        ...(ingestion.capped ? ['The ingestion run hit its 30 s cap before its request count.'] : []),
      ],
    },
  ];
  return { figures, tables };
}

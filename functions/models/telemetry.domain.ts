import {
  aggregateRecords,
  emptyAggregate,
  type InferenceRecord,
  type ModelAggregate,
  type ModelPricing,
  type SketchData,
} from './statistics/index.ts';

/**
 * Inference telemetry as cells: the aggregate of one version's inferences in one environment over
 * one minute, hour or day (issue 10, item 4). Records are never stored one by one; each batch is
 * cut into cells here and merged into the stored cells, so a window is read as a few dozen cells
 * whatever the traffic. Pure: no table, no HTTP.
 */

export const MAX_RECORDS_PER_BATCH = 5_000;
/** A record from further ahead than this is refused (a clock badly off). */
export const MAX_FUTURE_MS = 3_600_000;
/** Minute cells are kept this long, so older records are refused: they would fall into no window. */
export const MAX_RECORD_AGE_MS = 14 * 86_400_000;
/** Distinct versions one batch may name; records of more are refused (each is a lookup). */
export const MAX_VERSIONS_PER_BATCH = 100;
/** A cell counts at most this many clients by name; the rest are counted under OTHER_CLIENTS. */
export const MAX_CLIENTS_PER_CELL = 50;
export const OTHER_CLIENTS = '(other)';
/** Records that name no client are counted under this name. */
export const NO_CLIENT = '(none)';

export const GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const GRANULE_MS: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** How long cells are kept (DynamoDB TTL): minutes for short windows, hours for a week and more, days for costs. */
export const CELL_RETENTION_MS: Record<Granularity, number> = {
  minute: MAX_RECORD_AGE_MS + 86_400_000,
  hour: 90 * 86_400_000,
  day: 400 * 86_400_000,
};

/** A record as validated by the API (telemetry.schema.ts), with its time and environment settled. */
export interface ParsedRecord {
  /** The version as registered (its precedence resolved), not as the client wrote it. */
  version: string;
  environment: string;
  atMs: number;
  success: boolean;
  latencyMs: number;
  confidence?: number;
  inputTokens?: number;
  outputTokens?: number;
  error?: string;
  client?: string;
}

/** What a stored cell holds: the statistics aggregate and the inferences per client. */
export interface Cell {
  aggregate: ModelAggregate;
  clients: Record<string, number>;
}

/** One cell's worth of a batch, to be merged into the stored cell of the same key. */
export interface CellDelta {
  version: string;
  environment: string;
  granularity: Granularity;
  /** Epoch ms of the granule's start. */
  startMs: number;
  cell: Cell;
}

export function granuleStart(ms: number, granularity: Granularity): number {
  return Math.floor(ms / GRANULE_MS[granularity]) * GRANULE_MS[granularity];
}

export function granuleMs(granularity: Granularity): number {
  return GRANULE_MS[granularity];
}

/** The granule's label in sort keys: `2026-11-23T09:30`, `2026-11-23T09`, `2026-11-23` (UTC), so labels sort as times. */
export function granuleLabel(ms: number, granularity: Granularity): string {
  const iso = new Date(granuleStart(ms, granularity)).toISOString();
  return granularity === 'minute' ? iso.slice(0, 16) : granularity === 'hour' ? iso.slice(0, 13) : iso.slice(0, 10);
}

/** Why a record's time is refused, or undefined when it is within the accepted range. */
export function timeProblem(atMs: number, nowMs: number): string | undefined {
  if (atMs > nowMs + MAX_FUTURE_MS) return 'at is more than 1 hour in the future';
  if (atMs < nowMs - MAX_RECORD_AGE_MS) return 'at is more than 14 days in the past';
  return undefined;
}

/** The cell of these records; costs only with a USD pricing (aggregates hold USD). */
export function cellOf(records: readonly ParsedRecord[], pricing: ModelPricing | undefined): Cell {
  // A record names its error `error`; the statistics core reads `errorType`.
  const inputs: InferenceRecord[] = records.map((r) => (r.error === undefined ? r : { ...r, errorType: r.error }));
  const clients: Record<string, number> = {};
  for (const r of records) addClient(clients, r.client ?? NO_CLIENT, 1);
  return { aggregate: aggregateRecords(inputs, pricing?.currency === 'USD' ? pricing : undefined), clients };
}

/**
 * The deltas a batch makes: per version, environment and minute, hour and day. The hour and day
 * cells are written beside the minutes (not rolled up later), so a long window reads hours that are
 * always complete, and a lost roll-up job cannot lose counts.
 */
export function deltasOf(records: readonly ParsedRecord[], pricingOf: (version: string) => ModelPricing | undefined): CellDelta[] {
  const minutes = new Map<string, { version: string; environment: string; startMs: number; records: ParsedRecord[] }>();
  for (const record of records) {
    const startMs = granuleStart(record.atMs, 'minute');
    const key = `${record.version}\u0000${record.environment}\u0000${startMs}`;
    let group = minutes.get(key);
    if (!group) {
      group = { version: record.version, environment: record.environment, startMs, records: [] };
      minutes.set(key, group);
    }
    group.records.push(record);
  }
  const deltas: CellDelta[] = [];
  const coarser = new Map<string, CellDelta & { parts: Cell[] }>();
  for (const group of minutes.values()) {
    const cell = cellOf(group.records, pricingOf(group.version));
    deltas.push({ version: group.version, environment: group.environment, granularity: 'minute', startMs: group.startMs, cell });
    for (const granularity of ['hour', 'day'] as const) {
      const startMs = granuleStart(group.startMs, granularity);
      const key = `${granularity}\u0000${group.version}\u0000${group.environment}\u0000${startMs}`;
      const entry = coarser.get(key);
      if (entry) entry.parts.push(cell);
      else coarser.set(key, { version: group.version, environment: group.environment, granularity, startMs, cell, parts: [cell] });
    }
  }
  for (const { parts, ...delta } of coarser.values()) deltas.push({ ...delta, cell: mergeCells(parts) });
  return deltas;
}

/** The cell of all of these (the empty cell for none). Sums bins directly, so merging a window's cells is one pass. */
export function mergeCells(cells: readonly Cell[]): Cell {
  if (cells.length === 1) return cells[0] as Cell;
  const errors: Record<string, number> = {};
  const clients: Record<string, number> = {};
  let count = 0;
  let success = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let costUsd = 0;
  let confidenceCount = 0;
  const latencies: SketchData[] = [];
  const confidences: SketchData[] = [];
  for (const { aggregate: a, clients: c } of cells) {
    count += a.count;
    success += a.success;
    inputTokens += a.inputTokens;
    outputTokens += a.outputTokens;
    costUsd += a.costUsd;
    confidenceCount += a.confidenceCount;
    for (const [type, n] of Object.entries(a.errors)) errors[type] = (errors[type] ?? 0) + n;
    for (const [client, n] of Object.entries(c)) addClient(clients, client, n);
    latencies.push(a.latency);
    if (a.confidence) confidences.push(a.confidence);
  }
  if (cells.length === 0) return { aggregate: emptyAggregate(), clients };
  return {
    aggregate: {
      count,
      success,
      errors: { ...errors },
      inputTokens,
      outputTokens,
      costUsd,
      latency: mergeSketches(latencies),
      confidence: confidences.length === 0 ? null : mergeSketches(confidences),
      confidenceCount,
    },
    clients,
  };
}

/** The stored form of the union of the sketches: bins added key by key, as QuantileSketch.merge does. */
function mergeSketches(sketches: readonly SketchData[]): SketchData {
  const first = sketches[0] as SketchData;
  const bins: Record<string, number> = Object.create(null);
  let zeroCount = 0;
  let count = 0;
  let sum = 0;
  let min: number | null = null;
  let max: number | null = null;
  for (const sketch of sketches) {
    for (const key in sketch.bins) bins[key] = (bins[key] ?? 0) + (sketch.bins[key] as number);
    zeroCount += sketch.zeroCount;
    count += sketch.count;
    sum += sketch.sum;
    if (sketch.min !== null) min = min === null ? sketch.min : Math.min(min, sketch.min);
    if (sketch.max !== null) max = max === null ? sketch.max : Math.max(max, sketch.max);
  }
  return { relativeAccuracy: first.relativeAccuracy, bins: { ...bins }, zeroCount, count, sum, min, max };
}

function addClient(clients: Record<string, number>, client: string, n: number): void {
  if (Object.hasOwn(clients, client)) clients[client] = (clients[client] as number) + n;
  else if (Object.keys(clients).length < MAX_CLIENTS_PER_CELL || client === OTHER_CLIENTS) {
    Object.defineProperty(clients, client, { value: n, enumerable: true, writable: true, configurable: true });
  } else clients[OTHER_CLIENTS] = (clients[OTHER_CLIENTS] ?? 0) + n;
}

/** A window of telemetry, read as cells of one granularity. */
export interface TelemetryWindow {
  fromMs: number;
  /** Exclusive: the end of the last granule read. */
  toMs: number;
  granularity: 'minute' | 'hour';
}

export const NAMED_WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export type NamedWindow = keyof typeof NAMED_WINDOWS;
/** Windows this long or longer are read in hours (starting on the hour); shorter ones in minutes. */
export const HOURLY_FROM_MS = 6 * 3_600_000;
export const MAX_WINDOW_MS = 90 * 86_400_000;

/**
 * The window to read: a named one ending now, or from/to. Minutes for short windows (which must
 * lie within the minutes' retention), hours from 6 hours on; either is widened to whole granules.
 * A string is a reason the window cannot be read.
 */
export function resolveWindow(
  input: { window?: NamedWindow; from?: string; to?: string },
  nowMs: number,
  fallback: NamedWindow = '24h',
): TelemetryWindow | string {
  if (input.window && (input.from || input.to)) return 'give either window or from/to, not both';
  const toMs = input.to ? Date.parse(input.to) : nowMs;
  const fromMs = input.from ? Date.parse(input.from) : toMs - NAMED_WINDOWS[input.window ?? fallback];
  if (!(fromMs < toMs)) return 'from must be before to';
  if (toMs - fromMs > MAX_WINDOW_MS) return 'the window is at most 90 days';
  const granularity = toMs - fromMs >= HOURLY_FROM_MS || fromMs < nowMs - MAX_RECORD_AGE_MS ? 'hour' : 'minute';
  const step = GRANULE_MS[granularity];
  return { fromMs: granuleStart(fromMs, granularity), toMs: Math.ceil(toMs / step) * step, granularity };
}

/** What a record may hold, as InferenceRecordInput (telemetry.schema.ts) documents it. */
const RECORD_FIELDS = new Set([
  'version',
  'at',
  'environment',
  'success',
  'latencyMs',
  'confidence',
  'inputTokens',
  'outputTokens',
  'error',
  'client',
]);
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const ENVIRONMENT = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/;
export const MAX_LATENCY_MS = 86_400_000;
export const MAX_TOKENS = 100_000_000;

export interface CheckedRecord {
  version: string;
  atMs: number | undefined;
  environment: string | undefined;
  success: boolean;
  latencyMs: number;
  confidence?: number;
  inputTokens?: number;
  outputTokens?: number;
  error?: string;
  client?: string;
}

/**
 * Checks one record of a batch: the record, or why it is refused ("field: why"). Written out by hand
 * rather than run through zod: a batch is up to 5,000 records, and this is the hot path of ingestion.
 * test/models/cells.test.ts holds it to InferenceRecordInput, which documents the same rules.
 */
export function checkRecord(raw: unknown): CheckedRecord | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'a record is an object';
  const r = raw as Record<string, unknown>;
  for (const key in r) if (!RECORD_FIELDS.has(key)) return `${key}: not a field of a record`;
  const version = r.version;
  if (typeof version !== 'string' || version.length === 0 || version.length > 256) return 'version: a string of 1 to 256 characters';
  const success = r.success;
  if (typeof success !== 'boolean') return 'success: true or false';
  const latencyMs = r.latencyMs;
  if (typeof latencyMs !== 'number' || !(latencyMs >= 0 && latencyMs <= MAX_LATENCY_MS)) {
    return `latencyMs: a number from 0 to ${MAX_LATENCY_MS}`;
  }
  const record: CheckedRecord = { version, atMs: undefined, environment: undefined, success, latencyMs };
  const confidence = r.confidence;
  if (confidence !== undefined) {
    if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) return 'confidence: a number from 0 to 1';
    record.confidence = confidence;
  }
  const inputTokens = r.inputTokens;
  if (inputTokens !== undefined) {
    if (!isTokenCount(inputTokens)) return `inputTokens: a whole number from 0 to ${MAX_TOKENS}`;
    record.inputTokens = inputTokens;
  }
  const outputTokens = r.outputTokens;
  if (outputTokens !== undefined) {
    if (!isTokenCount(outputTokens)) return `outputTokens: a whole number from 0 to ${MAX_TOKENS}`;
    record.outputTokens = outputTokens;
  }
  const error = r.error;
  if (error !== undefined) {
    if (!isLabel(error)) return 'error: a string of 1 to 100 characters';
    record.error = error;
  }
  const client = r.client;
  if (client !== undefined) {
    if (!isLabel(client)) return 'client: a string of 1 to 100 characters';
    record.client = client;
  }
  const at = r.at;
  if (at !== undefined) {
    const atMs = typeof at === 'string' && ISO_TIME.test(at) ? Date.parse(at) : Number.NaN;
    if (Number.isNaN(atMs)) return 'at: an ISO 8601 time with its offset, such as 2026-11-23T09:30:00Z';
    record.atMs = atMs;
  }
  const environment = r.environment;
  if (environment !== undefined) {
    if (typeof environment !== 'string' || !ENVIRONMENT.test(environment)) {
      return 'environment: lowercase letters, digits and dashes, 2 to 63 characters';
    }
    record.environment = environment;
  }
  return record;
}

function isTokenCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_TOKENS;
}

function isLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 100;
}

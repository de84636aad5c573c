import { ConflictError } from '#kernel/errors';
import { querySamples } from '#metrics/public';
import { inferenceClients } from '#models/public';
import { type Consumer, listConsumers } from './contracts.store.ts';

/**
 * Who calls a version (issue 11 §7): the service's traffic metric (default `http.requests`),
 * reported with the labels `version` and `client` (POST /v1/metrics), and a model's inference
 * records naming their `client` (POST .../inferences, counted to the hour), summed per client over
 * a window, newest call first; joined with the consumers registered for the service.
 */

export const TRAFFIC_METRIC = 'http.requests';
const DAY_MS = 86_400_000;
/** Retiring a version that a consumer called within this many days is refused unless forced. */
export const RETIRE_WINDOW_DAYS = 7;

export interface VersionConsumer {
  consumer: string;
  registered: boolean;
  contact: string | null;
  requests: number;
  lastSeenAt: string;
  /** Where its calls were seen: the traffic metric, the model's inference records, or both. */
  sources: Array<'metric' | 'inferences'>;
}

export async function versionConsumers(
  service: string,
  version: string,
  options: { days: number; metric?: string; now?: Date },
): Promise<{ from: string; to: string; metric: string; items: VersionConsumer[] }> {
  const metric = options.metric ?? TRAFFIC_METRIC;
  const to = options.now ?? new Date();
  const from = new Date(to.getTime() - options.days * DAY_MS);
  const [samples, inferences] = await Promise.all([querySamples(metric, service, from, to), inferenceClients(service, version, from, to)]);
  const byClient = new Map<string, { requests: number; lastSeenAt: string; sources: Set<VersionConsumer['sources'][number]> }>();
  const seen = (client: string, requests: number, at: string, source: VersionConsumer['sources'][number]) => {
    const entry = byClient.get(client) ?? { requests: 0, lastSeenAt: at, sources: new Set() };
    entry.requests += requests;
    if (at > entry.lastSeenAt) entry.lastSeenAt = at;
    entry.sources.add(source);
    byClient.set(client, entry);
  };
  for (const sample of samples) {
    const client = sample.labels.client;
    if (!client || sample.labels.version !== version) continue;
    seen(client, sample.value, sample.timestamp, 'metric');
  }
  for (const { client, inferences: count, lastSeenAt } of inferences) seen(client, count, lastSeenAt, 'inferences');
  const registered = new Map<string, Consumer>();
  let cursor: string | undefined;
  do {
    const page = await listConsumers(service, { limit: 100, cursor });
    for (const consumer of page.items) registered.set(consumer.consumer, consumer);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const items = [...byClient.entries()]
    .map(([consumer, entry]) => ({
      consumer,
      registered: registered.has(consumer),
      contact: registered.get(consumer)?.contact ?? null,
      requests: entry.requests,
      lastSeenAt: entry.lastSeenAt,
      sources: (['metric', 'inferences'] as const).filter((source) => entry.sources.has(source)),
    }))
    .sort((a, b) => (a.lastSeenAt < b.lastSeenAt ? 1 : a.lastSeenAt > b.lastSeenAt ? -1 : a.consumer < b.consumer ? -1 : 1));
  return { from: from.toISOString(), to: to.toISOString(), metric, items };
}

/**
 * Asked by the services feature's retire command: retiring a version that a consumer called in
 * the last 7 days is a 409 naming them, unless the request passes `force: { reason }`.
 */
export async function checkRetirement(service: string, version: string, force: { reason: string } | undefined): Promise<void> {
  if (force) return;
  const { items } = await versionConsumers(service, version, { days: RETIRE_WINDOW_DAYS });
  if (items.length === 0) return;
  const names = items.map((item) => `${item.consumer} (last ${item.lastSeenAt})`).join(', ');
  throw new ConflictError(
    `Version ${version} was called in the last ${RETIRE_WINDOW_DAYS} days by ${names}; move them first, or pass force: { reason } to retire it anyway.`,
    { consumers: items },
  );
}

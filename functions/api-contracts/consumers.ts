import { ConflictError } from '#kernel/errors';
import { querySamples } from '#metrics/public';
import { type Consumer, listConsumers } from './contracts.store.ts';

/**
 * Who calls a version (issue 11 §7): the service's traffic metric (default `http.requests`),
 * reported with the labels `version` and `client` (POST /v1/metrics), summed per client over a
 * window, newest call first; joined with the consumers registered for the service.
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
}

export async function versionConsumers(
  service: string,
  version: string,
  options: { days: number; metric?: string; now?: Date },
): Promise<{ from: string; to: string; metric: string; items: VersionConsumer[] }> {
  const metric = options.metric ?? TRAFFIC_METRIC;
  const to = options.now ?? new Date();
  const from = new Date(to.getTime() - options.days * DAY_MS);
  const samples = await querySamples(metric, service, from, to);
  const byClient = new Map<string, { requests: number; lastSeenAt: string }>();
  for (const sample of samples) {
    const client = sample.labels.client;
    if (!client || sample.labels.version !== version) continue;
    const seen = byClient.get(client) ?? { requests: 0, lastSeenAt: sample.timestamp };
    seen.requests += sample.value;
    if (sample.timestamp > seen.lastSeenAt) seen.lastSeenAt = sample.timestamp;
    byClient.set(client, seen);
  }
  const registered = new Map<string, Consumer>();
  let cursor: string | undefined;
  do {
    const page = await listConsumers(service, { limit: 100, cursor });
    for (const consumer of page.items) registered.set(consumer.consumer, consumer);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const items = [...byClient.entries()]
    .map(([consumer, seen]) => ({
      consumer,
      registered: registered.has(consumer),
      contact: registered.get(consumer)?.contact ?? null,
      requests: seen.requests,
      lastSeenAt: seen.lastSeenAt,
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

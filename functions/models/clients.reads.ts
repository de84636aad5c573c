import { granuleLabel, granuleStart, NO_CLIENT } from './telemetry.domain.ts';
import { readCells, readDays } from './telemetry.store.ts';

const HOUR_MS = 3_600_000;

export interface InferenceClient {
  client: string;
  /** Inferences of the version the client made in the window's hours. */
  inferences: number;
  /** The end of the last hour it made one in (at most the window's end): cells count to the hour. */
  lastSeenAt: string;
}

/**
 * Who a model version's inferences came from (issue 11 §7: the version's consumers, as the API
 * contracts feature counts them): per client named on the records, in every environment, over the
 * hours from `from` to `to`. Records that named no client are not counted; clients past a cell's
 * limit are counted under `(other)`. The service's day cells tell which environments had any of
 * the version's inferences, then each one's hour cells are read (a week is 168 items).
 */
export async function inferenceClients(service: string, version: string, from: Date, to: Date): Promise<InferenceClient[]> {
  const fromMs = granuleStart(from.getTime(), 'hour');
  const toMs = granuleStart(to.getTime(), 'hour') + HOUR_MS;
  const days = await readDays(service, granuleLabel(fromMs, 'day'), granuleLabel(to.getTime(), 'day'));
  const environments = [...new Set(days.filter((day) => day.version === version).map((day) => day.environment))];
  const byClient = new Map<string, { inferences: number; lastMs: number }>();
  for (const environment of environments) {
    for (const { startMs, cell } of await readCells(service, version, environment, { fromMs, toMs, granularity: 'hour' })) {
      const endMs = Math.min(startMs + HOUR_MS, to.getTime());
      for (const [client, count] of Object.entries(cell.clients)) {
        if (client === NO_CLIENT || !(count > 0)) continue;
        const seen = byClient.get(client) ?? { inferences: 0, lastMs: endMs };
        seen.inferences += count;
        seen.lastMs = Math.max(seen.lastMs, endMs);
        byClient.set(client, seen);
      }
    }
  }
  return [...byClient.entries()].map(([client, { inferences, lastMs }]) => ({
    client,
    inferences,
    lastSeenAt: new Date(lastMs).toISOString(),
  }));
}

import WebSocket from 'ws';
import type { StewardClient } from './client.ts';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';

export const FINAL_STATUSES = ['succeeded', 'rolled_back', 'failed', 'cancelled'];

/** The exit code a finished deployment means. */
export function exitCodeFor(status: string): ExitCode {
  if (status === 'succeeded') return EXIT.ok;
  if (status === 'rolled_back') return EXIT.rolledBack;
  return EXIT.failed;
}

/**
 * Live events of one service from /v1/stream (the WebSocket API's URL on AWS, STEWARD_STREAM_URL),
 * opened before the deployment starts so that none of its events is missed. Undefined when the
 * stream cannot be reached: the watch then polls.
 */
export interface ServiceStream {
  /** Resolves at the next event of this deployment (or after `ms`). */
  next(deploymentId: string, ms: number): Promise<void>;
  close(): void;
}

export async function openServiceStream(client: StewardClient, service: string): Promise<ServiceStream | undefined> {
  const base = process.env.STEWARD_STREAM_URL || `${client.credentials.url.replace(/^http/, 'ws')}/v1/stream`;
  const url = new URL(base);
  url.searchParams.set('key', client.credentials.key);
  url.searchParams.set('topics', `services/${service}`);
  const socket = new WebSocket(url);
  const pending: string[] = [];
  let wake: (() => void) | undefined;
  socket.on('message', (data) => {
    try {
      const message = JSON.parse(data.toString()) as { type: string; event?: { subject: string } };
      if (message.type === 'event' && message.event) pending.push(message.event.subject);
      wake?.();
    } catch {
      // not ours to judge
    }
  });
  socket.on('close', () => wake?.());
  const opened = await new Promise<boolean>((resolve) => {
    socket.once('open', () => resolve(true));
    socket.once('error', () => resolve(false));
    socket.once('unexpected-response', () => resolve(false));
    setTimeout(() => resolve(false), 5_000).unref();
  });
  if (!opened) {
    socket.terminate();
    return undefined;
  }
  socket.on('error', () => undefined);
  return {
    next(deploymentId, ms) {
      const subject = `deployment/${deploymentId}`;
      const take = () => {
        const index = pending.indexOf(subject);
        if (index >= 0) pending.splice(0, index + 1);
        return index >= 0;
      };
      if (take()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = () => {
          if (take() || socket.readyState !== WebSocket.OPEN) done();
        };
      });
    },
    close: () => socket.terminate(),
  };
}

export interface WatchOptions {
  timeoutMs: number;
  /** Told of each new deployment event (steps, weights, gate results). */
  onEvent: (event: { seq: number; type: string; message: string; weights: Record<string, number> | null }) => void;
}

/**
 * Follows a deployment to its end: after each of its events on the stream (or every 2 s when
 * there is no stream, and every 15 s regardless) reads its new events and its status.
 */
export async function watchDeployment(
  client: StewardClient,
  service: string,
  deploymentId: string,
  stream: ServiceStream | undefined,
  options: WatchOptions,
): Promise<any> {
  const deadline = Date.now() + options.timeoutMs;
  const base = `/v1/services/${encodeURIComponent(service)}/deployments/${encodeURIComponent(deploymentId)}`;
  let seen = 0;
  const report = async () => {
    const events = await client.all<{ seq: number; type: string; message: string; weights: Record<string, number> | null }>(
      `${base}/events`,
    );
    for (const event of events.filter((entry) => entry.seq > seen)) {
      options.onEvent(event);
      seen = Math.max(seen, event.seq);
    }
  };
  for (;;) {
    await report();
    const deployment = (await client.get(base)).body;
    if (FINAL_STATUSES.includes(deployment.status)) {
      await report(); // the events that ended it
      return deployment;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new CliError(`Gave up waiting: deployment ${deploymentId} is still ${deployment.status}.`, EXIT.timeout, deployment);
    }
    const wait = Math.min(left, stream ? 15_000 : 2_000);
    if (stream) await stream.next(deploymentId, wait);
    else await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

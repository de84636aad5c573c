import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { routerSecretRef } from '../environments.commands.ts';
import { TransientError } from '../errors.ts';
import type { TrafficDriver } from '../traffic-driver.ts';
import { OutboundRefusedError, safeFetch } from '#kernel/outbound/safe-fetch';
import { secretValueStore } from '#kernel/secret-values/value-store';

const ROUTER_TIMEOUT_MS = 5_000;

/**
 * POSTs the new weights to the user's router, signed as a Standard Webhook with the
 * environment's signing secret. Anything but a 2xx is a failed step (retried, then rolled back).
 */
export const httpDriver: TrafficDriver = {
  async apply(change, { environment }) {
    if (environment.traffic.driver !== 'http') throw new Error('the http driver needs an http traffic config');
    const secret = await secretValueStore().get(routerSecretRef(environment.service, environment.name));
    const payload = JSON.stringify({ type: 'routing.weights', timestamp: new Date().toISOString(), data: change });
    const id = `msg_${randomUUID()}`;
    const timestamp = new Date();
    const signature = new Webhook(secret).sign(id, timestamp, payload);
    let response: Awaited<ReturnType<typeof safeFetch>>;
    try {
      response = await safeFetch(environment.traffic.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: payload,
        timeoutMs: ROUTER_TIMEOUT_MS,
        maxRedirects: 0,
      });
    } catch (error) {
      // A refused target never becomes reachable: fail the step at once instead of retrying.
      if (error instanceof OutboundRefusedError)
        throw new Error(`The router ${routerOrigin(environment.traffic.url)} is refused: ${error.message}`);
      throw new TransientError(`The router ${routerOrigin(environment.traffic.url)} could not be reached: ${(error as Error).message}`);
    }
    if (response.status < 200 || response.status > 299) {
      throw new TransientError(`The router ${routerOrigin(environment.traffic.url)} answered ${response.status}.`);
    }
  },
};

/** Router URLs may carry tokens in their path or query: messages name the origin only. */
function routerOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'router';
  }
}

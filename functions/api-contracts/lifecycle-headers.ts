import type { MiddlewareObj } from '@middy/core';

/**
 * A middy middleware for the Lambda functions Steward manages (issue 11 §9): it sets the version's
 * RFC 9745 `Deprecation`, RFC 8594 `Sunset` and `Link` headers on every response, as
 * `GET /v1/services/{service}/versions/{version}/lifecycle` gives them. The lifecycle is read at
 * most once per `cacheSeconds` (60) per warm function; when Steward cannot be reached (or answers
 * an error) the last headers it gave are kept, and a request is never failed or held up for it
 * (the read gives up after `timeoutMs`).
 *
 *   import { lifecycleHeaders } from 'steward/lifecycle-headers';
 *   export const handler = middy(app).use(lifecycleHeaders({ service: 'payments', version: '1.4.0' }));
 *
 * `stewardUrl` and `apiKey` default to STEWARD_URL and STEWARD_API_KEY (a viewer key is enough).
 *
 * The package exports this file as `steward/lifecycle-headers` (package.json `exports`), so it
 * stays self-contained: no import but a type from @middy/core, which its user has, and none of
 * this repository's `#` aliases or relative files. It is TypeScript: bundle it with the function
 * (esbuild, as CDK's NodejsFunction does), as test/api-contracts/lifecycle.test.ts does.
 */
export interface LifecycleHeadersOptions {
  service: string;
  version: string;
  stewardUrl?: string;
  apiKey?: string;
  /** @default 60 */
  cacheSeconds?: number;
  /** @default 1000 */
  timeoutMs?: number;
  /** For tests and custom transports; global fetch by default. */
  fetch?: typeof fetch;
  /** For tests: the clock. */
  now?: () => number;
}

/** The three headers, as the lifecycle route's `headers` gives them. */
export interface LifecycleHeaders {
  Deprecation?: string;
  Sunset?: string;
  Link?: string;
}

interface Cache {
  headers: LifecycleHeaders;
  fetchedAt: number;
  pending?: Promise<void>;
}

/** A response shape middy's HTTP handlers return (API Gateway v1/v2, function URLs, ALB). */
interface HttpResponse {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
}

export function lifecycleHeaders(options: LifecycleHeadersOptions): MiddlewareObj<unknown, unknown> {
  const cacheMs = (options.cacheSeconds ?? 60) * 1000;
  const timeoutMs = options.timeoutMs ?? 1000;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const base = (options.stewardUrl ?? process.env.STEWARD_URL ?? '').replace(/\/+$/, '');
  const apiKey = options.apiKey ?? process.env.STEWARD_API_KEY;
  const url = `${base}/v1/services/${encodeURIComponent(options.service)}/versions/${encodeURIComponent(options.version)}/lifecycle`;
  const cache: Cache = { headers: {}, fetchedAt: Number.NEGATIVE_INFINITY };

  const refresh = async (): Promise<void> => {
    try {
      const response = await doFetch(url, {
        headers: { accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) return; // keep the last known headers
      const body = (await response.json()) as { headers?: LifecycleHeaders };
      if (body && typeof body.headers === 'object' && body.headers !== null) cache.headers = pick(body.headers);
    } catch {
      // Steward unreachable or too slow: the last known headers stay.
    } finally {
      // Tried: wait a whole period before the next try, whatever came of it.
      cache.fetchedAt = now();
    }
  };

  const current = async (): Promise<LifecycleHeaders> => {
    if (!base) return cache.headers;
    if (now() - cache.fetchedAt >= cacheMs) {
      cache.pending ??= refresh().finally(() => {
        cache.pending = undefined;
      });
      await cache.pending;
    }
    return cache.headers;
  };

  const apply = async (request: { response: unknown }): Promise<void> => {
    let headers: LifecycleHeaders;
    try {
      headers = await current();
    } catch {
      return;
    }
    if (Object.keys(headers).length === 0) return;
    const response = request.response as HttpResponse | undefined;
    if (!response || typeof response !== 'object') return;
    response.headers = { ...response.headers, ...headers };
  };

  return {
    after: apply,
    // A handler error turned into a response by an error middleware (registered before this one) gets them too.
    onError: async (request) => {
      if (request.response) await apply(request);
    },
  };
}

/** Only the three headers, only as strings: nothing else from the answer reaches a response. */
function pick(headers: LifecycleHeaders): LifecycleHeaders {
  const picked: LifecycleHeaders = {};
  for (const name of ['Deprecation', 'Sunset', 'Link'] as const) {
    const value = headers[name];
    if (typeof value === 'string' && !/[\r\n]/.test(value)) picked[name] = value;
  }
  return picked;
}

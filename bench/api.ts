import type { Runtime } from '#local/runtime';

/**
 * Set-up and inspection calls of the suites (create a service, start a deployment, read its
 * events): one request at a time with global fetch, never timed. Timed requests go through
 * http-load.ts.
 */

export interface BenchResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or undefined (304, empty body). */
  json: any;
}

export interface BenchApi {
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<BenchResponse>;
  /** The request, insisting on a status: a bench on error responses would measure errors. */
  expect(status: number | number[], method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<BenchResponse>;
}

export function benchApi(runtime: Runtime): BenchApi {
  // By address: `localhost` may resolve to ::1 first, and the runtime listens on 127.0.0.1.
  const base = runtime.url.replace('//localhost:', '//127.0.0.1:');
  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<BenchResponse> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${runtime.adminKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  };
  return {
    request,
    async expect(status, method, path, body, headers) {
      const response = await request(method, path, body, headers);
      const wanted = Array.isArray(status) ? status : [status];
      if (!wanted.includes(response.status)) {
        throw new Error(
          `${method} ${path} answered ${response.status}, expected ${wanted.join(' or ')}: ${JSON.stringify(response.json).slice(0, 500)}`,
        );
      }
      return response;
    },
  };
}

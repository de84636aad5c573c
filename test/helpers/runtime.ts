import { type Runtime, startRuntime } from '../../local/runtime.ts';

/** An in-memory local runtime on a free port, for one test file. */
export async function startTestRuntime(): Promise<Runtime> {
  return startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** A minimal authenticated JSON request against a runtime. */
export async function call(
  runtime: Runtime,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; key?: string } = {},
): Promise<JsonResponse> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.key ?? runtime.adminKey}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

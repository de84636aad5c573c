import { expect } from 'vitest';

/**
 * A tiny HTTP client for end-to-end tests: talks to a running local runtime over real HTTP
 * with global fetch, and remembers every response so a test file can assert that nothing it
 * did produced a server error.
 */

export interface RuntimeLike {
  url: string;
  adminKey: string;
}

export interface RequestOptions {
  /** The API key to send as a bearer token; `null` sends none. Defaults to the client's key. */
  key?: string | null;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  /** A raw body, sent as is (the JSON `body` argument is ignored then). */
  raw?: string | Uint8Array;
  /** Content type for `raw` (default: none) or for the JSON body (default: application/json). */
  contentType?: string;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** The raw body text. */
  text: string;
  /** The parsed JSON body, when it was JSON. */
  json: T;
  method: string;
  path: string;
}

export interface ApiClient {
  readonly url: string;
  readonly key: string | null;
  /** Every response this client (and clients derived from it) received. */
  readonly log: ApiResponse[];
  /** The same client, sending another key by default (`null`: no key). */
  as(key: string | null): ApiClient;
  request<T = any>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  get<T = any>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  patch<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  delete<T = any>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
}

export function api(runtime: RuntimeLike, key: string | null = runtime.adminKey, log: ApiResponse[] = []): ApiClient {
  const request = async <T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    const useKey = options.key === undefined ? key : options.key;
    if (useKey !== null && headers.authorization === undefined) headers.authorization = `Bearer ${useKey}`;
    let payload: string | Uint8Array | undefined;
    if (options.raw !== undefined) {
      payload = options.raw;
      if (options.contentType) headers['content-type'] = options.contentType;
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    let target = path;
    if (options.query) {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(options.query)) if (value !== undefined) search.append(name, String(value));
      const qs = search.toString();
      if (qs) target += `${target.includes('?') ? '&' : '?'}${qs}`;
    }
    const response = await fetch(`${runtime.url}${target}`, {
      method,
      headers,
      body: payload as string | Uint8Array<ArrayBuffer> | undefined,
    });
    const text = await response.text();
    let json: unknown;
    const type = response.headers.get('content-type') ?? '';
    if (/json/i.test(type) && !/ndjson/i.test(type) && text.length > 0) json = JSON.parse(text);
    const result: ApiResponse<T> = { status: response.status, headers: response.headers, text, json: json as T, method, path: target };
    log.push(result);
    return result;
  };
  return {
    url: runtime.url,
    key,
    log,
    as: (other) => api(runtime, other, log),
    request,
    get: (path, options) => request('GET', path, undefined, options),
    post: (path, body, options) => request('POST', path, body, options),
    patch: (path, body, options) => request('PATCH', path, body, options),
    delete: (path, options) => request('DELETE', path, undefined, options),
  };
}

/** Asserts an RFC 9457 problem response with this status, and returns its document. */
export function expectProblem(response: ApiResponse, status: number): Record<string, any> {
  const where = `${response.method} ${response.path} → ${response.status}: ${response.text.slice(0, 500)}`;
  expect(response.status, where).toBe(status);
  expect(response.headers.get('content-type'), where).toMatch(/^application\/problem\+json/);
  const problem = response.json as Record<string, any>;
  expect(typeof problem.type, where).toBe('string');
  expect(problem.type.length, where).toBeGreaterThan(0);
  expect(typeof problem.title, where).toBe('string');
  expect(problem.status, where).toBe(status);
  expect(typeof problem.detail, where).toBe('string');
  expect(problem.detail.length, where).toBeGreaterThan(0);
  return problem;
}

/** Asserts a 400 validation problem with an entry pointing at `pointer` (and returns that entry). */
export function expectInvalid(response: ApiResponse, pointer: string): { pointer: string; message: string } {
  const problem = expectProblem(response, 400);
  expect(Array.isArray(problem.errors), `${response.path}: ${response.text}`).toBe(true);
  const entry = (problem.errors as Array<{ pointer: string; message: string }>).find((error) => error.pointer === pointer);
  expect(entry, `no error at ${pointer} in ${response.text}`).toBeDefined();
  expect(typeof entry?.message).toBe('string');
  return entry as { pointer: string; message: string };
}

/** Asserts that no response in the log was a server error, and that every error was a problem document. */
export function expectNoServerErrors(log: ApiResponse[]): void {
  const failures = log
    .filter((response) => response.status >= 500)
    .map((r) => `${r.method} ${r.path} → ${r.status}: ${r.text.slice(0, 300)}`);
  expect(failures).toEqual([]);
  const notProblems = log
    .filter((response) => response.status >= 400 && !/^application\/problem\+json/.test(response.headers.get('content-type') ?? ''))
    .map((r) => `${r.method} ${r.path} → ${r.status} (${r.headers.get('content-type')})`);
  expect(notProblems).toEqual([]);
}

/** Reads every page of a list, following `nextCursor`. */
export async function readAll<T = any>(
  client: ApiClient,
  path: string,
  query: Record<string, string | number> = {},
  options: RequestOptions = {},
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const response = await client.get<{ items: T[]; nextCursor: string | null }>(path, {
      ...options,
      query: { ...query, ...(cursor ? { cursor } : {}) },
    });
    expect(response.status, response.text).toBe(200);
    items.push(...response.json.items);
    if (response.json.nextCursor === null) return items;
    cursor = response.json.nextCursor;
  }
  throw new Error(`${path} did not end after 1000 pages`);
}

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, EXIT } from './exit-codes.ts';

/** Where `steward login` keeps the URL and key: $XDG_CONFIG_HOME/steward, else ~/.config/steward; mode 0600. */
export function configFile(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'steward', 'credentials.json');
}

export interface Credentials {
  url: string;
  key: string;
}

export function saveCredentials(credentials: Credentials): string {
  const file = configFile();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
  return file;
}

/** STEWARD_URL and STEWARD_API_KEY (a pipeline's secrets) win over the saved login. */
export function loadCredentials(): Credentials {
  let saved: Partial<Credentials> = {};
  try {
    saved = JSON.parse(readFileSync(configFile(), 'utf8')) as Partial<Credentials>;
  } catch {
    // no login yet
  }
  const url = process.env.STEWARD_URL || saved.url;
  const key = process.env.STEWARD_API_KEY || saved.key;
  if (!url || !key) {
    throw new CliError(
      'Not logged in: run `steward login --url <url>` (key on stdin), or set STEWARD_URL and STEWARD_API_KEY.',
      EXIT.usage,
    );
  }
  return { url: url.replace(/\/+$/, ''), key };
}

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** The API over HTTP: JSON in and out; a problem+json answer becomes a CliError with the right exit code. */
export class StewardClient {
  constructor(readonly credentials: Credentials) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResult<T>> {
    let response: Response;
    try {
      response = await fetch(`${this.credentials.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.credentials.key}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new CliError(
        `Steward at ${this.credentials.url} could not be reached: ${(error as Error).cause ?? (error as Error).message}`,
        EXIT.unavailable,
      );
    }
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
    if (response.status >= 400) throw problemError(response.status, parsed);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = any>(path: string, query: Record<string, string | number | undefined> = {}): Promise<ApiResult<T>> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
    const qs = search.toString();
    return this.request<T>('GET', qs ? `${path}?${qs}` : path);
  }

  /** Every item of a list, following nextCursor. */
  async all<T = any>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.get<{ items: T[]; nextCursor: string | null }>(path, { ...query, limit: 100, cursor });
      items.push(...page.body.items);
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    return items;
  }
}

function problemError(status: number, body: unknown): CliError {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as {
    title?: string;
    detail?: string;
    errors?: Array<{ pointer: string; message: string }>;
  };
  const details = [
    problem.detail ?? problem.title ?? String(body),
    ...(problem.errors ?? []).map((error) => `  ${error.pointer}: ${error.message}`),
  ];
  const message = `${status} ${problem.title ?? ''}: ${details.join('\n')}`.replace(/ :/, ':');
  if (status === 401 || status === 403) return new CliError(message, EXIT.auth, body);
  if (status === 429 || status >= 500) return new CliError(message, EXIT.unavailable, body);
  return new CliError(message, EXIT.refused, body);
}

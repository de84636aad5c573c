import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One Node process runs every route group's handler locally, often several requests at once,
 * as a Lambda with concurrent invocations does (AWS_LAMBDA_MAX_CONCURRENCY). Lambda's runtime
 * then keeps per-invocation state in `globalThis.awslambda.InvokeStore`, backed by
 * AsyncLocalStorage, and Powertools' logger keeps each invocation's context (function_name,
 * request id, appended keys) there instead of on its one shared instance. This is that store,
 * so that a log line names the function and request it came from, not whichever request last
 * entered a handler.
 */

type Store = Record<string | symbol, unknown>;

class LocalInvokeStore {
  readonly #storage = new AsyncLocalStorage<Store>();

  hasContext(): boolean {
    return this.#storage.getStore() !== undefined;
  }
  getContext(): Store | undefined {
    return this.#storage.getStore();
  }
  get(key: string | symbol): unknown {
    return this.#storage.getStore()?.[key];
  }
  set(key: string | symbol, value: unknown): void {
    const store = this.#storage.getStore();
    if (!store) throw new Error('No invocation context');
    store[key] = value;
  }
  run<T>(context: Store, fn: () => T): T {
    return this.#storage.run(context, fn);
  }
  getRequestId(): string {
    return String(this.get(Symbol.for('_AWS_LAMBDA_REQUEST_ID')) ?? '-');
  }
  getXRayTraceId(): string | undefined {
    return undefined;
  }
  getTenantId(): string | undefined {
    return undefined;
  }
  getTraceparent(): string | undefined {
    return undefined;
  }
  getTracestate(): string | undefined {
    return undefined;
  }
  getBaggage(): string | undefined {
    return undefined;
  }
}

let installed: LocalInvokeStore | undefined;

/** Installs the store (once per process) and says invocations may run concurrently. */
export function installInvocationScope(): void {
  if (installed) return;
  installed = new LocalInvokeStore();
  const global = globalThis as unknown as { awslambda?: { InvokeStore?: unknown } };
  global.awslambda ??= {};
  global.awslambda.InvokeStore = installed;
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
}

/** Runs one invocation in its own scope (a plain call when no scope is installed). */
export function inInvocation<T>(requestId: string, fn: () => T): T {
  return installed ? installed.run({ [Symbol.for('_AWS_LAMBDA_REQUEST_ID')]: requestId }, fn) : fn();
}

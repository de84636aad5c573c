import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoopResult } from './stats.ts';

/**
 * Where the time of one scenario goes: runs it under the V8 CPU profiler (after warm-up, so
 * start-up and JIT are left out) and prints self time per module and the hottest functions.
 * The .cpuprofile it writes opens in Chrome DevTools or VS Code.
 *
 *   npx tsx bench/profile.ts get-version [--requests 3000] [--concurrency 1] [--out file]
 *
 * Scenarios: get-version, list-versions, create-version, store-get, store-query.
 */

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const SCENARIOS = ['get-version', 'list-versions', 'create-version', 'store-get', 'store-query'] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    requests: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '1' },
    out: { type: 'string' },
    top: { type: 'string', default: '25' },
  },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

async function main(): Promise<void> {
  const scenario = (positionals[0] ?? 'get-version') as Scenario;
  if (!SCENARIOS.includes(scenario)) throw new Error(`Unknown scenario ${scenario}; one of ${SCENARIOS.join(', ')}.`);
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);

  const { startRuntime } = await import('#local/runtime');
  const { httpLoad } = await import('./http-load.ts');
  const { storeGetVersionLatency, storeQueryVersionsLatency } = await import('./store-latency.ts');
  const { prepareRegistry, SERVICE, VERSION_COUNT } = await import('./suites/registry.ts');

  const runtime = await startRuntime({ memory: true, port: 0, reconcileEveryMs: 3_600_000 });
  try {
    const registry = await prepareRegistry(runtime, concurrency);
    const createSpec = registry.createSpec();
    const run = (count: number, warmup: number): Promise<LoopResult> => {
      const options = { concurrency, requests: count, warmup, maxDurationMs: 60_000 };
      switch (scenario) {
        case 'get-version':
          return httpLoad({ ...options, baseUrl: runtime.url }, registry.getSpec);
        case 'list-versions':
          return httpLoad({ ...options, baseUrl: runtime.url }, registry.listSpec);
        case 'create-version':
          return httpLoad({ ...options, baseUrl: runtime.url }, createSpec);
        case 'store-get':
          return storeGetVersionLatency(options, SERVICE, registry.precedence);
        case 'store-query':
          return storeQueryVersionsLatency(options, SERVICE, VERSION_COUNT);
      }
    };
    await run(Math.max(100, Math.round(requests / 5)), 0);

    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const result = await run(requests, 0);
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    session.disconnect();

    const out = values.out ?? join(tmpdir(), `steward-${scenario}-${Date.now()}.cpuprofile`);
    await writeFile(out, JSON.stringify(profile));
    process.stdout.write(summarize(profile, result, scenario, Number(values.top), out));
  } finally {
    await runtime.close();
  }
}

/** Self time per sample, attributed to the node each sample landed in. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return self;
}

const ROOT = new URL('..', import.meta.url).href;

/** A module group for a frame: a package, a Node subsystem, a project folder, or a V8 pseudo-frame. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const packageMatch = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (packageMatch) return packageMatch[1] as string;
  if (url.startsWith('node:')) {
    const name = url
      .slice(5)
      .replace(/^internal\//, '')
      .split('/')[0] as string;
    return `node:${name.replace(/^_?(http|stream)_?\w*$/, '$1')}`;
  }
  if (url.startsWith(ROOT)) {
    const path = url.slice(ROOT.length);
    const parts = path.split('/');
    return parts.length > 2 ? parts.slice(0, 2).join('/') : path;
  }
  return url;
}

function summarize(profile: CpuProfile, result: LoopResult, scenario: string, top: number, out: string): string {
  const self = selfTimes(profile);
  const total = [...self.values()].reduce((sum, value) => sum + value, 0);
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const time = self.get(node.id) ?? 0;
    if (time === 0) continue;
    const module = moduleOf(node.callFrame.url, node.callFrame.functionName);
    byModule.set(module, (byModule.get(module) ?? 0) + time);
    const where = node.callFrame.url
      ? `${node.callFrame.url.replace(ROOT, '').replace(/^file:\/\/.*\/node_modules\//, '')}:${node.callFrame.lineNumber + 1}`
      : '';
    const key = `${node.callFrame.functionName || '(anonymous)'}  ${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + time);
  }
  const perRequest = (micros: number) => `${(micros / 1000 / result.count).toFixed(3)} ms/req`;
  const share = (micros: number) => `${((micros / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `${scenario}: ${result.count} requests, concurrency ${result.concurrency}, p50 ${result.p50Ms.toFixed(3)} ms, p99 ${result.p99Ms.toFixed(3)} ms, ${result.rps.toFixed(0)} req/s`,
    `profiled ${(total / 1000).toFixed(0)} ms of samples (${perRequest(total)}); profile: ${out}`,
    '',
    'self time by module',
    ...[...byModule.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, time]) => `  ${share(time)}  ${perRequest(time).padStart(16)}  ${name}`),
    '',
    `top ${top} functions by self time`,
    ...[...byFunction.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, time]) => `  ${share(time)}  ${name}`),
  ];
  return `${lines.join('\n')}\n`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

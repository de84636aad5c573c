import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../functions/kernel/store/event-log.ts';
import { inInvocation, installInvocationScope } from '../../local/invocation-scope.ts';
import { localLambdaContext } from '../../local/lambda-context.ts';
import { createLocalLog } from '../../local/log.ts';

/**
 * `npm start` as a person runs it: in the background and stopped with a signal to npm (the
 * process tree goes, the port is freed), a clear message when the port is taken, `--reset`, and
 * the lines it prints for each request and each deployment step.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const started: ChildProcess[] = [];

afterAll(() => {
  // Whatever a failed test left running: each child leads its own process group.
  for (const child of started) {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

async function until(condition: () => Promise<boolean> | boolean, what: string, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts a command in a process group of its own, collecting what it prints. */
function launch(command: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', STEWARD_ADMIN_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const output = { text: '' };
  child.stdout?.on('data', (chunk) => {
    output.text += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output.text += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

describe('npm start in the background', () => {
  it('logs a line per request and, sent SIGTERM through npm, stops the whole tree and frees the port', async () => {
    // Prepare
    const port = await freePort();
    const { child, output, exited } = launch('npm', ['start', '--', '--port', String(port), '--memory']);
    await until(() => /Try:/.test(output.text) || child.exitCode !== null, 'the banner');
    expect(output.text, output.text).toMatch(/Try:/);
    expect(output.text).toContain(`http://localhost:${port}/docs`);
    expect(output.text).toMatch(/Stop\s+Ctrl-C/);
    const response = await fetch(`http://localhost:${port}/v1/services`);
    await until(() => /"kind":"request"/.test(output.text), 'the request line');

    // Act
    process.kill(child.pid as number, 'SIGTERM'); // npm itself, not its process group
    await until(async () => !(await portAnswers(port)), `port ${port} to be free`, 15);

    // Assess
    expect(response.status).toBe(401);
    const line = JSON.parse(output.text.split('\n').find((text) => text.includes('"kind":"request"')) as string);
    expect(line).toMatchObject({
      kind: 'request',
      method: 'GET',
      path: '/v1/services',
      status: 401,
      requestId: response.headers.get('apigw-requestid'),
      functionName: 'steward-services',
    });
    expect(typeof line.ms).toBe('number');
    await exited;
    expect(await portAnswers(port)).toBe(false);
  });

  it('says the port is taken, names --port, and exits with 1', async () => {
    // Prepare
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));

    // Act
    const { output, exited } = launch(process.execPath, ['--import', 'tsx', 'local/start.ts', '--port', String(port), '--memory']);
    const code = await exited;
    await new Promise<void>((resolve) => squatter.close(() => resolve()));

    // Assess
    expect(code).toBe(1);
    expect(output.text).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(output.text).toContain(`npm start -- --port ${port + 1}`);
    expect(output.text).not.toMatch(/EADDRINUSE|at .*\.ts:\d+/);
  });

  it('--reset deletes the data folder, says so, starts empty, and stops on SIGINT', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'steward-reset-'));
    mkdirSync(join(dataDir, 'dynamodb'));
    writeFileSync(join(dataDir, 'admin-key'), 'stw_old-key-from-an-earlier-run-000\n');
    writeFileSync(join(dataDir, 'leftover.txt'), 'x');

    // Act
    const { child, output, exited } = launch(process.execPath, [
      '--import',
      'tsx',
      'local/start.ts',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--reset',
    ]);
    await until(() => /Try:/.test(output.text) || child.exitCode !== null, 'the banner');
    process.kill(child.pid as number, 'SIGINT');
    const code = await exited;

    // Assess
    expect(output.text).toContain(`Reset: deleted ${dataDir}/`);
    expect(existsSync(join(dataDir, 'leftover.txt'))).toBe(false);
    expect(readFileSync(join(dataDir, 'admin-key'), 'utf8')).not.toContain('old-key');
    expect(output.text).toMatch(/made now/);
    expect(code).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('--reset leaves alone a folder that is not a data folder', async () => {
    // Prepare
    const notData = mkdtempSync(join(tmpdir(), 'steward-not-data-'));
    writeFileSync(join(notData, 'precious.txt'), 'keep me');

    // Act
    const { output, exited } = launch(process.execPath, [
      '--import',
      'tsx',
      'local/start.ts',
      '--port',
      '0',
      '--data-dir',
      notData,
      '--reset',
    ]);
    const code = await exited;

    // Assess
    expect(code).toBe(1);
    expect(output.text).toMatch(/is not one .* left alone/);
    expect(readFileSync(join(notData, 'precious.txt'), 'utf8')).toBe('keep me');
    rmSync(notData, { recursive: true, force: true });
  });
});

describe('the lines npm start prints', () => {
  const at = () => new Date('2026-12-04T10:00:01.250Z');
  const request = {
    method: 'POST',
    path: '/v1/services',
    status: 201,
    ms: 12.5,
    requestId: 'abc123',
    functionName: 'steward-services',
    receivedAt: Date.parse('2026-12-04T10:00:01.237Z'),
  };
  const step = {
    type: 'deployment.step_completed',
    service: 'payments-api',
    subject: 'deployment/01JDEPLOY',
    changes: {
      before: {},
      after: {
        status: 'in_progress',
        step: 0,
        weights: { '1.4.0': 90, '1.5.0': 10 },
        message: 'Step 1 of 2: 1.5.0 at 10%.',
        evidence: null,
      },
    },
  } as unknown as StoredEvent;
  const gate = {
    ...step,
    type: 'deployment.gate_evaluated',
    changes: { before: {}, after: { status: 'in_progress', step: 0, weights: { '1.4.0': 90, '1.5.0': 10 }, evidence: { passed: false } } },
  } as unknown as StoredEvent;

  it('are JSON objects, one a line, when not on a terminal', () => {
    // Prepare
    const lines: string[] = [];
    const log = createLocalLog({ json: true, write: (line) => lines.push(line), now: at });

    // Act
    log.request(request);
    log.event(step);
    log.event(gate);
    log.event({ ...step, type: 'service.created', subject: 'service/payments-api' } as unknown as StoredEvent);

    // Assess
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        time: '2026-12-04T10:00:01.250Z',
        kind: 'request',
        method: 'POST',
        path: '/v1/services',
        status: 201,
        ms: 12.5,
        requestId: 'abc123',
        functionName: 'steward-services',
      },
      {
        time: '2026-12-04T10:00:01.250Z',
        kind: 'deployment',
        deploymentId: '01JDEPLOY',
        service: 'payments-api',
        event: 'deployment.step_completed',
        status: 'in_progress',
        step: 1,
        weights: { '1.4.0': 90, '1.5.0': 10 },
        gate: null,
        message: 'Step 1 of 2: 1.5.0 at 10%.',
      },
      expect.objectContaining({ event: 'deployment.gate_evaluated', step: 1, gate: 'failed' }),
    ]);
  });

  it('are readable columns on a terminal', () => {
    // Prepare
    const lines: string[] = [];
    const log = createLocalLog({ json: false, color: false, write: (line) => lines.push(line), now: at });

    // Act
    log.request(request);
    log.event(step);
    log.event(gate);

    // Assess
    expect(lines).toEqual([
      '10:00:01.250  POST   /v1/services  201  12.5 ms  steward-services req abc123',
      '10:00:01.250  deploy 01JDEPLOY payments-api  step_completed  step 1  weights 1.4.0=90% 1.5.0=10%  Step 1 of 2: 1.5.0 at 10%.',
      '10:00:01.250  deploy 01JDEPLOY payments-api  gate_evaluated  step 1  weights 1.4.0=90% 1.5.0=10%  gate failed',
    ]);
  });
});

describe('log lines of handlers running at once in the one local process', () => {
  it('name the function and request they came from, not the last one to start', async () => {
    // Prepare: a logger like the handlers' (one instance shared by every route group), its lines captured.
    const lines: Array<{ functionName?: string; requestId?: string; message: string }> = [];
    class Capture extends LogFormatter {
      formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
        lines.push({
          functionName: attributes.lambdaContext?.functionName,
          requestId: attributes.lambdaContext?.awsRequestId,
          message: attributes.message,
        });
        return new LogItem({ attributes: { message: attributes.message } }).addAttributes(additional);
      }
    }
    const logger = new Logger({ serviceName: 'steward', logLevel: 'INFO', logFormatter: new Capture() });
    installInvocationScope();
    const invocation = (functionName: string, requestId: string, waitMs: number) =>
      inInvocation(requestId, async () => {
        logger.addContext(localLambdaContext(functionName, requestId));
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        logger.info(`from ${functionName}`);
      });

    // Act: the first starts, the second starts while the first waits, then both log.
    await Promise.all([invocation('steward-services', 'req-a', 30), invocation('steward-deployments', 'req-b', 5)]);

    // Assess
    expect(lines.sort((a, b) => a.message.localeCompare(b.message))).toEqual([
      { functionName: 'steward-deployments', requestId: 'req-b', message: 'from steward-deployments' },
      { functionName: 'steward-services', requestId: 'req-a', message: 'from steward-services' },
    ]);
  });
});

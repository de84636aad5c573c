import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import type { RequestRecord } from '../../local/server.ts';
import { claimsOf, unmetClaims, walkthroughBlocks, walkthroughSteps } from '../helpers/readme-walkthrough.ts';

/**
 * The README's walk-through, run as written: its ```bash blocks (test/helpers/readme-walkthrough.ts
 * says which) run in order in one bash against a fresh local runtime (a temporary data folder, a
 * free port, deployment waits scaled by STEWARD_TIME_SCALE=0.01, a 1-second tick), and each step's
 * output must bear out the comments the README shows under it. No request may be a server error,
 * nor a client error unless the README says so. A README that drifts from the code fails here.
 */

process.env.STEWARD_TIME_SCALE = '0.01';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const MARK = '__WALKTHROUGH_STEP_DONE__';

let runtime: Runtime;
let dataDir: string;
let shell: ChildProcessWithoutNullStreams | undefined;
const requests: RequestRecord[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'steward-walkthrough-'));
  runtime = await startRuntime({
    dataDir,
    port: 0,
    tickSeconds: 1,
    reconcileEveryMs: 3_600_000,
    onRequest: (record) => requests.push(record),
  });
});

afterAll(async () => {
  if (shell?.pid) {
    try {
      process.kill(-shell.pid, 'SIGKILL'); // the shell and what it started (the webhook receiver)
    } catch {
      // already gone
    }
  }
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One bash for the whole walk-through, so that variables, functions and `cd` carry from step to step. */
async function startShell(): Promise<{ run: (commands: string) => Promise<{ output: string; code: number }> }> {
  const receiverPort = await freePort();
  const child = spawn('bash', ['--noprofile', '--norc'], {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}`,
      STEWARD: runtime.url,
      KEY: runtime.adminKey,
      RECEIVER_PORT: String(receiverPort),
      PROJECT_ROOT: ROOT,
    },
  });
  shell = child;
  let buffer = '';
  let waiting: ((line: string) => void) | undefined;
  const onData = (chunk: Buffer) => {
    buffer += String(chunk);
    if (waiting && buffer.includes(MARK)) waiting(buffer);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  // The receiver's dependency comes from this project's node_modules instead of the registry:
  // `npm install … standardwebhooks` in the walk-through links it into the temporary folder.
  child.stdin.write(`npm() {
  if [[ "$1" == install && "$*" == *standardwebhooks* ]]; then
    mkdir -p node_modules && ln -sfn "$PROJECT_ROOT/node_modules/standardwebhooks" node_modules/standardwebhooks
  else
    command npm "$@"
  fi
}
`);
  return {
    run: (commands) =>
      new Promise((resolve, reject) => {
        buffer = '';
        const timer = setTimeout(() => reject(new Error(`no end after 60 s; output so far:\n${buffer}`)), 60_000);
        waiting = (text) => {
          clearTimeout(timer);
          waiting = undefined;
          const index = text.indexOf(MARK);
          const code = Number(
            text
              .slice(index + MARK.length)
              .trim()
              .split(/\s/)[0],
          );
          resolve({ output: text.slice(0, index), code });
        };
        child.stdin.write(`{\n${commands}\n} 2>&1; echo "${MARK} $?"\n`);
      }),
  };
}

describe('the README walk-through', () => {
  it('is found: shell blocks under the Walk-through headings, in steps with what they print', () => {
    // Act
    const blocks = walkthroughBlocks(README);
    const steps = walkthroughSteps(README);

    // Assess
    expect(blocks.length).toBeGreaterThan(10);
    expect(steps.filter((step) => step.claims.pairs.length + step.claims.status.length > 0).length).toBeGreaterThan(20);
    expect(blocks.some((block) => block.code.includes('cdk deploy'))).toBe(false);
  });

  it('runs as written, in order, from a fresh start, and prints what it says', { timeout: 180_000 }, async () => {
    // Prepare
    const { run } = await startShell();
    const steps = walkthroughSteps(README);

    // Act & Assess, step by step: a later step needs what an earlier one made.
    for (const step of steps) {
      const started = Date.now();
      const { output, code } = await run(step.commands);
      const ended = Date.now();
      const where = `README.md:${step.line} (${step.heading})\n$ ${step.commands}\n--- output ---\n${output}`;
      expect(code, `exit status ${code}: ${where}`).toBe(0);
      expect(unmetClaims(step.claims, output), `claims not met: ${where}`).toEqual([]);
      const answered = requests.filter((request) => request.receivedAt >= started && request.receivedAt <= ended);
      const serverErrors = answered.filter((request) => request.status >= 500);
      expect(serverErrors, `server errors: ${where}`).toEqual([]);
      if (!step.claims.allowsClientError) {
        const clientErrors = answered.filter((request) => request.status >= 400);
        expect(clientErrors, `client errors the README does not show: ${where}`).toEqual([]);
      }
    }
  });
});

describe('reading the README', () => {
  it('splits a block into steps at the comments that follow commands, keeping heredocs whole', () => {
    // Prepare
    const markdown = [
      '## Walk-through: a test',
      '```bash',
      '# a comment before any command says nothing',
      'curl -si $STEWARD/v1/services \\',
      "  -d '{}'",
      '# HTTP/1.1 201 Created',
      '# etag: "1"',
      "cat > x.mjs <<'EOF'",
      '# not a comment: inside the heredoc',
      'EOF',
      'curl -s $STEWARD/x',
      '# {"status":409,"title":"Conflict","id":"01JD…","count":2}',
      '```',
      '```bash aws',
      'npx cdk deploy',
      '```',
      '## Elsewhere',
      '```bash',
      'never run',
      '```',
    ].join('\n');

    // Act
    const steps = walkthroughSteps(markdown);

    // Assess
    expect(steps.map((step) => step.commands)).toEqual([
      "curl -si $STEWARD/v1/services \\\n  -d '{}'",
      "cat > x.mjs <<'EOF'\n# not a comment: inside the heredoc\nEOF\ncurl -s $STEWARD/x",
    ]);
    expect(steps[0]?.claims).toMatchObject({ status: [201], headers: [{ name: 'etag', value: '"1"' }], allowsClientError: false });
    expect(steps[1]?.claims).toMatchObject({ pairs: ['"status":409', '"title":"Conflict"', '"count":2'], allowsClientError: true });
  });

  it('checks status lines, headers and JSON pairs against the output', () => {
    // Prepare
    const claims = claimsOf(['# HTTP/1.1 200 OK', '# etag: "2"', '# {"weights":{"1.4.0":90},"revision":2}']);

    // Act
    const met = unmetClaims(claims, 'HTTP/1.1 200 OK\r\nETag: "2"\r\n\r\n{"weights":{"1.4.0":90},"revision":2}');
    const unmet = unmetClaims(claims, 'HTTP/1.1 304 Not Modified\r\netag: "3"\r\n\r\n{"revision":3}');

    // Assess
    expect(met).toEqual([]);
    expect(unmet).toEqual(['a status line 200', 'the header etag: "2"', '"1.4.0":90', '"revision":2']);
  });
});

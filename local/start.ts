import { existsSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { createLocalLog } from '#local/log';
import { PortInUseError, type Runtime, startRuntime } from '#local/runtime';

const USAGE = `Usage: npm start -- [--port N] [--host H] [--data-dir DIR] [--memory] [--reset] [--quiet]

  --port N        listen on port N (default: PORT, else 3000)
  --host H        the interface to listen on (default: HOST, else 127.0.0.1)
  --data-dir DIR  where data and the admin key are kept (default: STEWARD_DATA_DIR, else .steward)
  --memory        keep nothing on disk
  --reset         delete the data folder first: every service, version, key and secret, and the admin key
  --quiet         no line per request and per deployment step
`;

/** `npm start`: the control plane on this machine, with no AWS account and no Docker. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      memory: { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be a port number (0–65535), not ${values.port ?? process.env.PORT}.`);
  const dataDir = values['data-dir'] ?? process.env.STEWARD_DATA_DIR ?? '.steward';
  if (values.reset && !values.memory) resetDataDir(dataDir);
  const log = values.quiet ? undefined : createLocalLog();
  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      memory: values.memory,
      port,
      host: values.host ?? process.env.HOST,
      dataDir,
      adminKey: process.env.STEWARD_ADMIN_KEY || undefined,
      onRequest: log?.request,
      onEvent: log?.event,
    });
  } catch (error) {
    if (error instanceof PortInUseError) {
      console.error(`Steward could not start: ${error.message}
  Stop what is listening there (a Steward started earlier stops with Ctrl-C, or kill <pid>), or start on another port:
    npm start -- --port ${error.port + 1}        (or PORT=${error.port + 1} npm start)`);
      process.exit(1);
    }
    throw error;
  }
  const keyNote = {
    given: 'from STEWARD_ADMIN_KEY',
    stored: `kept in ${runtime.dataDir}/admin-key`,
    generated: runtime.dataDir ? `made now, kept in ${runtime.dataDir}/admin-key` : 'made now, kept in memory only',
  }[runtime.adminKeySource];
  console.log(`
  Steward is running (local runtime)

    API        ${runtime.url}/v1
    Docs       ${runtime.url}/docs
    OpenAPI    ${runtime.url}/openapi.json
    Data       ${runtime.dataDir ? `${runtime.dataDir}/ (kept across restarts; npm start -- --reset starts empty)` : 'in memory (--memory): nothing is kept'}
    Outbound   checks and webhooks may reach public addresses and ${process.env.STEWARD_OUTBOUND_ALLOW === undefined ? 'loopback (127.0.0.0/8, ::1)' : `STEWARD_OUTBOUND_ALLOW=${process.env.STEWARD_OUTBOUND_ALLOW}`}; set STEWARD_OUTBOUND_ALLOW=cidr,...|loopback|none to change it
    Email      notifications for subscriptions go to ${runtime.mailTarget}${process.env.STEWARD_SMTP_URL ? '' : ' (.eml files; set STEWARD_SMTP_URL=smtp://host:port to send them)'}
    Waits      deployment bakes and approvals ${process.env.STEWARD_TIME_SCALE ? `scaled by STEWARD_TIME_SCALE=${process.env.STEWARD_TIME_SCALE}` : 'take real time (STEWARD_TIME_SCALE=0.01 makes 5 minutes 3 seconds)'}
    Admin key  ${runtime.adminKey}
               (${keyNote})
    Stop       Ctrl-C, or kill ${process.pid}

  Try:  curl -H "Authorization: Bearer ${runtime.adminKey}" ${runtime.url}/v1/services
`);
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) {
      // A second Ctrl-C: do not wait for the clean stop.
      process.exit(130);
    }
    stopping = true;
    console.log(`  Stopping (${why})…`);
    // Whatever hangs, the port is freed and the process ends within a few seconds.
    setTimeout(() => process.exit(1), 5_000).unref();
    runtime.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Steward did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  // Started by a process that has gone away (a wrapper killed without passing its signal on):
  // we were reparented, so stop rather than hold the port with no one to stop us.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop('the process that started it exited');
  }, 1_000).unref();
}

/** `--reset`: deletes the data folder, only if it is one (never the working folder or one above it). */
function resetDataDir(dataDir: string): void {
  const target = resolve(dataDir);
  const here = resolve('.');
  if (!existsSync(target)) {
    console.log(`  Reset: ${dataDir}/ did not exist; starting empty.`);
    return;
  }
  const looksLikeData = existsSync(join(target, 'dynamodb')) || existsSync(join(target, 'admin-key'));
  if (target === here || here.startsWith(`${target}${sep}`) || !looksLikeData) {
    throw new Error(
      `--reset deletes a Steward data folder; ${dataDir} is not one (no dynamodb/ or admin-key in it), so it was left alone.`,
    );
  }
  rmSync(target, { recursive: true, force: true });
  console.log(`  Reset: deleted ${dataDir}/ (every service, version, key and secret, and the admin key); starting empty.`);
}

main().catch((error) => {
  console.error(`Steward could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

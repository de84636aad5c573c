import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { ensureBootstrapKey } from '#api-keys/api-keys.commands';
import { configureDocumentStore, configureLocalUploads, localDocumentStore, MemoryDocumentStore } from '#api-contracts/document-store';
import { generateSecret } from '#api-keys/api-key.domain';
import { SYSTEM_PRINCIPAL } from '#kernel/roles';
import { configureStore } from '#kernel/store/client';
import { sweepExpiredSamples } from '#metrics/metrics.store';
import { sweepExpiredCells } from '#models/telemetry.store';
import { configureEventPublisher, reconcile, type StoredEvent } from '#kernel/store/event-log';
import { configureHealthProbes } from '#system/health.probes';
import { LocalStreamHub, type LocalStreamOptions } from '#stream/local-hub';
import { configureJwt, resetJwt } from '#identity/jwt';
import { type DevIssuer, devIssuerKeys, startDevIssuer } from '#local/dev-issuer';
import { configureOrchestrator } from '#deployments/orchestrator';
import { recoverStuckDeployments } from '#deployments/recovery.commands';
import { configureOutboundPolicy } from '#kernel/outbound/policy';
import { LocalDeploymentExecutor } from '#local/deployment-executor';
import { ensureTable, startDynalite } from '#local/dynamo';
import { handler as checkSecretExpiry } from '../functions/handlers/secret-expiry.ts';
import { handler as noticeDeprecations } from '../functions/handlers/deprecation-notices.ts';
import { handler as rollBackModelsOnAlerts } from '../functions/handlers/model-auto-rollback.ts';
import { handler as runMigrationScheduler } from '../functions/handlers/migration-scheduler.ts';
import { handler as runHealthChecks } from '../functions/handlers/health-check-runner.ts';
import { handler as evaluateAlertRules } from '../functions/handlers/alert-evaluator.ts';
import { sweepResults } from '../functions/health-checks/runner.ts';
import { localFileSecretStore } from '../functions/kernel/secret-values/local-file-store.ts';
import { memorySecretStore } from '../functions/kernel/secret-values/local-store.ts';
import { configureSecretValueStore } from '../functions/kernel/secret-values/value-store.ts';
import { inInvocation, installInvocationScope } from '#local/invocation-scope';
import { createLocalServer, type RequestRecord } from '#local/server';
import { localTopic, publishCommittedEvent, settleNotifications } from '../functions/notifications/local-topic.ts';
import { publishStranded } from '../functions/notifications/publisher.ts';
import { configureNotificationTopic } from '../functions/notifications/topic.ts';
import { configureMailer, mailer } from '../functions/notifications/mailer.ts';
import { configureSubscriptionGateway, localSubscriptionGateway } from '../functions/notifications/subscription-gateway.ts';

export interface RuntimeOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Where data is kept across restarts; ignored with `memory`. */
  dataDir?: string;
  /** Keep nothing on disk. */
  memory?: boolean;
  /** The bootstrap admin key; by default read from the data folder, or made on first start. */
  adminKey?: string;
  /** How often to finish projections a crash left behind. */
  reconcileEveryMs?: number;
  /** How often the scheduled secret expiry and rotation check runs (EventBridge does this hourly on AWS). */
  secretExpiryEveryMs?: number;
  /** How often expired inference cells are deleted (DynamoDB's TTL on AWS); also once at start. Default hourly. */
  inferenceSweepEveryMs?: number;
  /**
   * Seconds between runner ticks (health checks due, the alert rules, then the sweep of expired results and metric samples, which
   * DynamoDB TTL does on AWS). Default: STEWARD_TICK_SECONDS, else 60. A set tick also lets
   * checks run more often than once a minute.
   */
  tickSeconds?: number;
  /** How often the migration scheduler runs (EventBridge does this every minute on AWS). */
  migrationsEveryMs?: number;
  /** Told of every request answered (`npm start` logs a line for each). */
  onRequest?: (record: RequestRecord) => void;
  /** Told of every committed event, after it is published (`npm start` logs deployment progress from them). */
  onEvent?: (event: StoredEvent) => void;
  /** The live stream's per-client limits (tests make them small). */
  stream?: LocalStreamOptions;
  /** Accept JWTs from the local development issuer (default: STEWARD_DEV_ISSUER=1). */
  devIssuer?: boolean;
}

/** The port is taken: said before anything else starts, so that nothing is half started. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(`Port ${port} on ${host} is already in use (another Steward, or another program, is listening there).`);
    this.name = 'PortInUseError';
  }
}

export interface Runtime {
  /** Runs deployment workflows in this process. */
  deployments: LocalDeploymentExecutor;
  /** The live event stream at /v1/stream. */
  stream: LocalStreamHub;
  /** The development identity provider, when on: `sign` makes tokens the runtime accepts. */
  devIssuer: DevIssuer | null;
  /** Deployments found running at start-up and rolled back (a workflow cannot outlive its process). */
  settledDeployments: number;
  url: string;
  port: number;
  adminKey: string;
  adminKeySource: 'given' | 'stored' | 'generated';
  dataDir: string | null;
  /** Where notification emails go: an SMTP server, or the outbox folder of `.eml` files. */
  mailTarget: string;
  close: () => Promise<void>;
}

export const LOCAL_TABLE_NAME = 'steward';
const ADMIN_KEY_FILE = 'admin-key';

/**
 * Starts the whole control plane in this process: dynalite, the table, the bootstrap key, and
 * the HTTP server that stands in for API Gateway. Tests start one with `memory: true, port: 0`.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const listenHost = options.host ?? '127.0.0.1';
  if (options.port) await ensurePortFree(options.port, listenHost);
  const dataDir = options.memory ? null : (options.dataDir ?? '.steward');
  // Every route group's handler runs in this one process: each invocation gets its own log context.
  installInvocationScope();
  if (dataDir) mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });

  const dynamo = await startDynalite(dataDir ? join(dataDir, 'dynamodb') : undefined);
  await ensureTable(dynamo.endpoint, LOCAL_TABLE_NAME);
  configureStore({ tableName: LOCAL_TABLE_NAME, endpoint: dynamo.endpoint });
  // Secret values: encrypted files beside the table (docs/architecture.md §2), or memory with `memory`.
  configureSecretValueStore(dataDir ? localFileSecretStore(join(dataDir, 'secrets')) : memorySecretStore());
  // OpenAPI documents: a folder beside the table (an S3 bucket on AWS), or memory with `memory`.
  configureDocumentStore(dataDir ? localDocumentStore(dataDir) : new MemoryDocumentStore());
  process.env.STAGE ??= 'local';
  process.env.STEWARD_VERSION ??= packageVersion();

  const { key: adminKey, source: adminKeySource } = resolveAdminKey(options.adminKey, dataDir);
  await ensureBootstrapKey(adminKey, { actor: { keyId: SYSTEM_PRINCIPAL.keyId, name: 'local-runtime' }, requestId: 'startup' });
  await reconcile();
  // Locally the services under test usually run on this machine: loopback is allowed (the banner says so).
  configureOutboundPolicy({ runtime: 'local' });
  // Committed alert, incident, deployment and health check events are published to the in-process
  // topic, which fans them out to email subscriptions and webhooks (a table stream and SNS on AWS).
  configureNotificationTopic(localTopic);
  const onEvent = options.onEvent;
  // And to the live stream's clients (/v1/stream; API Gateway's WebSocket API on AWS).
  const stream = new LocalStreamHub(options.stream);
  configureEventPublisher((event) => {
    publishCommittedEvent(event);
    stream.publish(event);
    onEvent?.(event);
  });
  // Email subscriptions are confirmed at once locally (even if NOTIFICATION_TOPIC_ARN happens to be set);
  // mail goes to STEWARD_SMTP_URL, else to .eml files in the outbox folder.
  configureSubscriptionGateway(localSubscriptionGateway);
  configureMailer({ outboxDir: dataDir ? join(dataDir, 'outbox') : join(tmpdir(), 'steward-outbox') });
  const deployments = new LocalDeploymentExecutor();
  configureOrchestrator(deployments);
  // JWT sign-in: the development issuer's keys in hand, or an OIDC issuer from STEWARD_JWT_ISSUER (functions/identity/).
  const devIssuer = (options.devIssuer ?? process.env.STEWARD_DEV_ISSUER === '1') ? await startDevIssuer(dataDir) : null;
  if (devIssuer) configureJwt(devIssuerKeys(devIssuer));
  else resetJwt();
  // /health/deep asks the in-process stand-ins for the state machine and the topic (docs/architecture.md §2).
  configureHealthProbes({
    stateMachine: async () => 'statemachines/deployment.asl.json (aws-local-stepfunctions, in process)',
    topic: async () => 'in-process topic',
  });
  const settledDeployments = await deployments.reconcile();
  // What a previous process committed but never published (it stopped in between) goes out now.
  await publishStranded({ olderThanMs: 0 }).catch(() => undefined);
  const reconciler = setInterval(
    () =>
      void reconcile()
        .then(() => recoverStuckDeployments())
        .then(() => publishStranded({ olderThanMs: 10_000 }))
        .catch(() => undefined),
    options.reconcileEveryMs ?? 30_000,
  );
  reconciler.unref();
  // Once at start (a machine that is often off may never reach the hour), then on the timer.
  await checkSecretExpiry().catch(() => undefined);
  const secretExpiry = setInterval(() => void checkSecretExpiry().catch(() => undefined), options.secretExpiryEveryMs ?? 3_600_000);
  secretExpiry.unref();
  // Inference cells past their expiresAt (issue 10), as DynamoDB's TTL deletes them on AWS: once at start, then hourly.
  await sweepExpiredCells(new Date()).catch(() => undefined);
  const inferenceSweep = setInterval(
    () => void sweepExpiredCells(new Date()).catch(() => undefined),
    options.inferenceSweepEveryMs ?? 3_600_000,
  );
  inferenceSweep.unref();
  // Deprecation notices and automatic retirement (issue 10): once at start, then daily.
  await noticeDeprecations().catch(() => undefined);
  const deprecationNotices = setInterval(() => void noticeDeprecations().catch(() => undefined), 86_400_000);
  deprecationNotices.unref();
  // A model promotion rolled back on a critical alert within its policy's window (issue 10): every minute.
  const modelAutoRollback = setInterval(() => void rollBackModelsOnAlerts().catch(() => undefined), 60_000);
  modelAutoRollback.unref();
  // Scheduled migration plans started at their startAt, running ones completed (issue 11): every minute.
  const migrationScheduler = setInterval(() => {
    const now = new Date();
    void inInvocation(`migrations-${now.toISOString()}`, () => runMigrationScheduler({ time: now.toISOString() })).catch(() => undefined);
  }, options.migrationsEveryMs ?? 60_000);
  migrationScheduler.unref();
  const tickSeconds = options.tickSeconds ?? (Number(process.env.STEWARD_TICK_SECONDS) || 60);
  process.env.STEWARD_TICK_SECONDS ??= String(tickSeconds);
  let ticking = false;
  const tick = setInterval(() => {
    if (ticking) return; // a tick still running (slow targets) is not stacked on
    ticking = true;
    const now = new Date();
    // In a scope of its own, as its own invocation: its log lines carry no request's context.
    void inInvocation(`tick-${now.toISOString()}`, () => runHealthChecks({ time: now.toISOString() }))
      .then(() => inInvocation(`tick-${now.toISOString()}`, () => evaluateAlertRules({ time: now.toISOString() })))
      .then(() => sweepResults(now))
      .then(() => sweepExpiredSamples(now))
      .catch(() => undefined)
      .finally(() => {
        ticking = false;
      });
  }, tickSeconds * 1000);
  tick.unref();

  const server = createLocalServer({ onRequest: options.onRequest, devIssuer });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port ?? 3000, listenHost) : error),
    );
    server.listen(options.port ?? 3000, listenHost, () => resolve());
  }).catch(async (error) => {
    deployments.stopAll();
    clearInterval(reconciler);
    clearInterval(secretExpiry);
    clearInterval(inferenceSweep);
    clearInterval(deprecationNotices);
    clearInterval(modelAutoRollback);
    clearInterval(migrationScheduler);
    clearInterval(tick);
    await dynamo.close();
    throw error;
  });
  stream.attach(server);
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : 'localhost';
  // Direct uploads of large OpenAPI documents PUT to this server, as they PUT to S3 on AWS.
  configureLocalUploads(`http://${host === '127.0.0.1' ? 'localhost' : host}:${port}`);
  return {
    url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${port}`,
    port,
    adminKey,
    adminKeySource,
    dataDir,
    mailTarget: mailer().target,
    deployments,
    settledDeployments,
    stream,
    devIssuer,
    close: async () => {
      deployments.stopAll();
      configureEventPublisher(null);
      await settleNotifications().catch(() => undefined);
      configureNotificationTopic(null);
      configureMailer(null);
      configureSubscriptionGateway(null);
      configureHealthProbes(null);
      configureLocalUploads(null);
      resetJwt();
      clearInterval(reconciler);
      clearInterval(secretExpiry);
      clearInterval(inferenceSweep);
      clearInterval(deprecationNotices);
      clearInterval(modelAutoRollback);
      clearInterval(migrationScheduler);
      clearInterval(tick);
      await stream.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dynamo.close();
    },
  };
}

/** Fails with PortInUseError when something already listens on the port. */
function ensurePortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, host) : error));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

function resolveAdminKey(given: string | undefined, dataDir: string | null): { key: string; source: Runtime['adminKeySource'] } {
  if (given !== undefined) {
    if (given.length < 16) throw new Error('The admin key must be at least 16 characters.');
    return { key: given, source: 'given' };
  }
  const file = dataDir ? join(dataDir, ADMIN_KEY_FILE) : null;
  if (file) {
    try {
      return { key: readFileSync(file, 'utf8').trim(), source: 'stored' };
    } catch {
      // first start: make one below
    }
  }
  const key = generateSecret();
  if (file) writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, source: 'generated' };
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * Every key the table uses is built here, so access patterns can be read in one place.
 *
 * | item            | PK                  | SK                | GSI1 (PK / SK)              |
 * |-----------------|---------------------|-------------------|-----------------------------|
 * | service         | SVC#<name>          | SERVICE           | SERVICES / <name>           |
 * | version         | SVC#<name>          | VER#<precedence>  |  (head of SVC#<name>#VER#<precedence>) |
 * | version digest  | SVC#<name>          | VERSIONS          |  (an entry per version, by its events) |
 * | event           | <aggregate>         | EVT#<seq, 10 dig> | AUDIT / <at>#<eventId>      |
 * | api key         | APIKEY#<id>         | APIKEY            | APIKEYS / <id>              |
 * | api key by hash | KEYHASH#<sha256>    | KEYHASH           |                             |
 * | config head     | CFG#<service>       | HEAD              |                             |
 * | config layer    | CFG#<service>       | LAYER#<layer>     |                             |
 * | layer version   | CFG#<service>       | LVER#<layer>#<n>  |                             |
 * | variables       | CFG#<service>       | VARS#<env>        |                             |
 * | config schema   | CFG#<service>       | SCHEMA            |                             |
 * | secrets head    | SECRETS#<service>   | HEAD              |                             |
 * | secret metadata | SECRETS#<service>   | SECRET#<env>#<nm> | SECRETS / <svc>#<env>#<nm>  |
 * | environment     | ENV#<svc>#<env>     | HEAD              | ENVS#<svc> / <env>          |
 * | deployment      | ENV#<svc>#<env>     | DEPLOY#<id>       | DEPLOYS#<svc> / <id>        |
 * | deployment log  | ENV#<svc>#<env>     | DEPLOY#<id>#LOG#n |                             |
 * | idempotency key | ENV#<svc>#<env>     | IDEMP#<key>       |                             |
 * | idempotent POST | IDEMPOTENCY#<keyId>#<sha256> | REQUEST  |  (first response, encrypted; TTL 24 h) |
 * | health check    | HCHK#<id>           | HEAD              | HCHKS#<svc> / <id>          |
 * | check run state | HCHK#<id>           | RUN               | (GSI2) HCDUE / <next>#<id>  |
 * | check result    | HCRES#<id>#<day>    | <at>#<resultId>   |                             |
 * | result bucket   | HCRESBUCKETS        | <day>#<id>        |                             |
 * | slo targets     | SLO#<service>       | HEAD              |                             |
 * | metric sample   | METRIC#<nm>#<svc>#<hour> | <at>#<id>    |                             |
 * | metric bucket   | METRICBUCKETS       | <hour>#<nm>#<svc> |                             |
 * | alert rule      | ALERTRULE#<id>      | HEAD              | ALERTRULES / <id>           |
 * | alert series    | ALERTRULE#<id>, HCHK#<id> or SECRETS#<svc> | SERIES#<hash> |            |
 * |  pending        |                     |                   | (GSI2) PENDINGALERTS / <since>#<alertId> |
 * | alert           | ALERT#<id>          | ALERT             | ALERTS / <id>               |
 * |  open, critical |                     |                   | (GSI2) OPENCRIT / <id>      |
 * | incidents head  | INCIDENTS#<service> | HEAD              |                             |
 * | alert joined    | INCIDENTS#<service> | ALERT#<alertId>   |                             |
 * | incident        | INCIDENT#<id>       | INCIDENT          | INCIDENTS / <id>            |
 * |  by service     |                     |                   | (GSI2) SVCINCIDENTS#<svc> / <id> |
 * | incident entry  | INCIDENT#<id>       | ENTRY#<entryId>   |                             |
 * | webhook         | WEBHOOK#<id>        | HEAD              | WEBHOOKS / <id>             |
 * | webhook claim   | WEBHOOKDLV#<id>     | CLAIM#<eventId>   |  (not an event: delivery state) |
 * | delivery        | WEBHOOKDLV#<id>     | DLV#<inverted>    |  (not an event; newest first)   |
 * | webhook health  | WEBHOOKDLV#<id>     | HEALTH            |  (not an event)                 |
 * | dead letter     | WEBHOOKDLV#<id>     | DEAD#<eventId>    |  (not an event; replayable)     |
 * | subscription    | SUBSCRIPTION#<id>   | SUBSCRIPTION      | SUBSCRIPTIONS / <id>        |
 * | address head    | SUBEMAIL#<address>  | HEAD              |  (the address's live subscription) |
 * | api contracts   | APICONTRACT#<svc>   | HEAD              |  (the version policy)       |
 * | openapi pointer | APICONTRACT#<svc>   | DOC#<precedence>  |  (digest; the text is in the document store) |
 * | consumer        | APICONTRACT#<svc>   | CONSUMER#<name>   |                             |
 * | openapi upload  | APICONTRACT#<svc>   | UPLOAD#<id>       |  (not an event: a direct upload under way, TTL) |
 * | migration plan  | APICONTRACT#<svc>   | MIGRATION#<id>    | (GSI2) MIGRATIONS / <startAt>#<id> while scheduled or running |
 * | stream conn.    | STREAMCONNS         | CONN#<connId>     |  (not an event: a WebSocket connection on AWS, TTL) |
 * | rate bucket     | RATE#<keyId or sub> | <route class>     |  (not an event: a token bucket, TTL) |
 * | model head      | MODEL#<svc>         | HEAD              |  (policy and settings)      |
 * | model alias     | MODEL#<svc>         | ALIAS#<alias>     |                             |
 * | inference cell  | INFER#<svc>#<ver>   | M#<env>#<minute> or H#<env>#<hour> | (not an event: telemetry) |
 * | inference day   | INFERDAY#<svc>      | <day>#<env>#<ver> |  (not an event: telemetry)  |
 * | sunset notices  | SUNSET#<svc>        | HEAD              |  (thresholds announced)     |
 *
 * Check results, metric samples and their bucket markers carry `expiresAt` (DynamoDB TTL); they are not events.
 * Events also carry GSI2 (SVCLOG#<service> / <at>#<id>), GSI3 (ACTOR#<keyId> / <at>#<id>)
 * and, until projected, GSI4 (UNPROJECTED / <at>#<id>); an event of a published type then moves to
 * GSI4 UNPUBLISHED until the notification topic has it.
 */

export const keys = {
  service: (name: string) => ({ PK: `SVC#${name}`, SK: 'SERVICE' }),
  serviceAggregate: (name: string) => `SVC#${name}`,
  servicesIndex: (name: string) => ({ GSI1PK: 'SERVICES', GSI1SK: name }),
  servicesListPartition: 'SERVICES',

  version: (service: string, precedence: string) => ({ PK: `SVC#${service}`, SK: `VER#${precedence}` }),
  versionPrefix: 'VER#',
  /**
   * Each version is its own aggregate: its events are here, its head is its item under the service
   * (`version`), so versions of one service never contend for a sequence number.
   */
  versionAggregate: (service: string, precedence: string) => `SVC#${service}#VER#${precedence}`,
  /** A service's digest of its versions: one map entry per version, each set by that version's events. */
  versionDigest: (service: string) => ({ PK: `SVC#${service}`, SK: 'VERSIONS' }),

  event: (aggregate: string, seq: number) => ({ PK: aggregate, SK: eventSortKey(seq) }),
  eventPrefix: 'EVT#',
  auditPartition: 'AUDIT',
  serviceLogPartition: (service: string) => `SVCLOG#${service}`,
  actorLogPartition: (keyId: string) => `ACTOR#${keyId}`,
  unprojectedPartition: 'UNPROJECTED',
  /** GSI4 again, once projected: a published type's event until the topic has it (the publish sweep's queue). */
  unpublishedPartition: 'UNPUBLISHED',

  apiKey: (id: string) => ({ PK: `APIKEY#${id}`, SK: 'APIKEY' }),
  apiKeyAggregate: (id: string) => `APIKEY#${id}`,
  apiKeysIndex: (id: string) => ({ GSI1PK: 'APIKEYS', GSI1SK: id }),
  apiKeysListPartition: 'APIKEYS',
  apiKeyByHash: (hash: string) => ({ PK: `KEYHASH#${hash}`, SK: 'KEYHASH' }),
  /** The live stream's WebSocket connections on AWS (functions/stream/connections.store.ts): one partition, read whole by the fan-out. */
  streamConnectionsPartition: 'STREAMCONNS',
  streamConnection: (connectionId: string) => ({ PK: 'STREAMCONNS', SK: `CONN#${connectionId}` }),
  /** A principal's token bucket for one route class (functions/kernel/store/token-buckets.ts). */
  rateBucket: (owner: string, rateClass: string) => ({ PK: `RATE#${owner}`, SK: rateClass }),
  rateBucketPrefix: 'RATE#',
  /**
   * Partitions only key management may write: a key, its events and its hash lookup. On AWS every
   * other function's role denies writes to them (`lib/constructs/steward-table.ts`), so no other
   * function, whatever it is made to do, can mint or revive a key.
   */
  keyPartitionPrefixes: ['APIKEY#', 'KEYHASH#'],

  /** One aggregate holds a service's whole configuration, so checks across layers (cycles) are atomic. */
  configAggregate: (service: string) => `CFG#${service}`,
  configHead: (service: string) => ({ PK: `CFG#${service}`, SK: 'HEAD' }),
  configLayer: (service: string, layer: string) => ({ PK: `CFG#${service}`, SK: `LAYER#${layer}` }),
  configLayerVersion: (service: string, layer: string, version: number) => ({
    PK: `CFG#${service}`,
    SK: `LVER#${layer}#${String(version).padStart(8, '0')}`,
  }),
  configLayerVersionPrefix: (layer: string) => `LVER#${layer}#`,
  configVariables: (service: string, env: string) => ({ PK: `CFG#${service}`, SK: `VARS#${env}` }),
  configSchema: (service: string) => ({ PK: `CFG#${service}`, SK: 'SCHEMA' }),

  secretsAggregate: (service: string) => `SECRETS#${service}`,
  secretsHead: (service: string) => ({ PK: `SECRETS#${service}`, SK: 'HEAD' }),
  secret: (service: string, env: string, name: string) => ({ PK: `SECRETS#${service}`, SK: `SECRET#${env}#${name}` }),
  secretPrefix: 'SECRET#',
  secretsIndex: (service: string, env: string, name: string) => ({ GSI1PK: 'SECRETS', GSI1SK: `${service}#${env}#${name}` }),
  secretsListPartition: 'SECRETS',

  /** One aggregate per service and environment: "one active deployment" is decided there, atomically. */
  environmentAggregate: (service: string, env: string) => `ENV#${service}#${env}`,
  environmentHead: (service: string, env: string) => ({ PK: `ENV#${service}#${env}`, SK: 'HEAD' }),
  environmentsIndex: (service: string, env: string) => ({ GSI1PK: `ENVS#${service}`, GSI1SK: env }),
  environmentsListPartition: (service: string) => `ENVS#${service}`,
  deployment: (service: string, env: string, id: string) => ({ PK: `ENV#${service}#${env}`, SK: `DEPLOY#${id}` }),
  deploymentsIndex: (service: string, id: string) => ({ GSI1PK: `DEPLOYS#${service}`, GSI1SK: id }),
  deploymentsListPartition: (service: string) => `DEPLOYS#${service}`,
  /** Sparse: only deployments still running are in it, for the local runtime's restart reconciliation. */
  activeDeploymentsIndex: (id: string) => ({ GSI2PK: 'ACTIVE_DEPLOYMENTS', GSI2SK: id }),
  activeDeploymentsPartition: 'ACTIVE_DEPLOYMENTS',
  deploymentLog: (service: string, env: string, id: string, seq: number) => ({
    PK: `ENV#${service}#${env}`,
    SK: `DEPLOY#${id}#LOG#${String(seq).padStart(10, '0')}`,
  }),
  deploymentLogPrefix: (id: string) => `DEPLOY#${id}#LOG#`,
  idempotency: (service: string, env: string, key: string) => ({ PK: `ENV#${service}#${env}`, SK: `IDEMP#${key}` }),
  /** Any other POST sent with an Idempotency-Key: its first response, by the calling key and the Idempotency-Key's hash. */
  idempotentRequest: (keyId: string, keyHash: string) => ({ PK: `IDEMPOTENCY#${keyId}#${keyHash}`, SK: 'REQUEST' }),

  /** One aggregate per health check: its definition and its state (healthy / unhealthy) change by events. */
  healthCheckAggregate: (id: string) => `HCHK#${id}`,
  healthCheck: (id: string) => ({ PK: `HCHK#${id}`, SK: 'HEAD' }),
  healthChecksIndex: (service: string, id: string) => ({ GSI1PK: `HCHKS#${service}`, GSI1SK: id }),
  healthChecksListPartition: (service: string) => `HCHKS#${service}`,
  /** The runner's bookkeeping (counters, next run): written on every run, so not an event. */
  healthCheckRun: (id: string) => ({ PK: `HCHK#${id}`, SK: 'RUN' }),
  /** Every live check's run item sits in this GSI2 partition, sorted by when it is due next. */
  healthChecksDueIndex: (nextRunAt: string, id: string) => ({ GSI2PK: 'HCDUE', GSI2SK: `${nextRunAt}#${id}` }),
  healthChecksDuePartition: 'HCDUE',
  /** Results in one bucket per check and UTC day, so a time window is a few Queries. */
  healthResultBucket: (id: string, day: string) => `HCRES#${id}#${day}`,
  healthResult: (id: string, day: string, at: string, resultId: string) => ({ PK: `HCRES#${id}#${day}`, SK: `${at}#${resultId}` }),
  /** One marker per bucket, so the local sweep finds old buckets with a Query (dynalite has no TTL). */
  healthResultBucketMarker: (day: string, id: string) => ({ PK: 'HCRESBUCKETS', SK: `${day}#${id}` }),
  healthResultBucketsPartition: 'HCRESBUCKETS',

  /** One aggregate per service holds its SLO targets (a default and per environment). */
  sloAggregate: (service: string) => `SLO#${service}`,
  slo: (service: string) => ({ PK: `SLO#${service}`, SK: 'HEAD' }),

  /** Metric samples in one bucket per metric name, service and UTC hour, so a window is a few Queries. */
  metricBucket: (name: string, service: string, hour: string) => `METRIC#${name}#${service}#${hour}`,
  metricSample: (name: string, service: string, hour: string, at: string, id: string) => ({
    PK: `METRIC#${name}#${service}#${hour}`,
    SK: `${at}#${id}`,
  }),
  /** One marker per metric bucket, for the local sweep, as for check results. */
  metricBucketMarker: (hour: string, name: string, service: string) => ({ PK: 'METRICBUCKETS', SK: `${hour}#${name}#${service}` }),
  metricBucketsPartition: 'METRICBUCKETS',

  /** One aggregate per alert rule: its definition and every transition of its series' alerts. */
  alertRuleAggregate: (id: string) => `ALERTRULE#${id}`,
  alertRule: (id: string) => ({ PK: `ALERTRULE#${id}`, SK: 'HEAD' }),
  alertRulesIndex: (id: string) => ({ GSI1PK: 'ALERTRULES', GSI1SK: id }),
  alertRulesListPartition: 'ALERTRULES',
  /** Where one label set of a rule (or a health check's own alert) stands; under the aggregate that decides it. */
  alertSeries: (aggregate: string, hash: string) => ({ PK: aggregate, SK: `SERIES#${hash}` }),
  alertSeriesPrefix: 'SERIES#',
  /** A rule's series while pending, by when it began: `GET /v1/alerts?status=pending` reads only these. */
  pendingAlertsIndex: (since: string, alertId: string) => ({ GSI2PK: 'PENDINGALERTS', GSI2SK: `${since}#${alertId}` }),
  pendingAlertsPartition: 'PENDINGALERTS',
  /** An alert, written by events of the aggregate it belongs to (a rule's or a health check's). */
  alert: (id: string) => ({ PK: `ALERT#${id}`, SK: 'ALERT' }),
  alertsIndex: (id: string) => ({ GSI1PK: 'ALERTS', GSI1SK: id }),
  alertsListPartition: 'ALERTS',
  /** Sparse: a critical alert sits here while it is open, so the incident repair sweep reads only those. */
  openCriticalAlertsIndex: (id: string) => ({ GSI2PK: 'OPENCRIT', GSI2SK: id }),
  openCriticalAlertsPartition: 'OPENCRIT',

  /** One aggregate per service for its incidents: its head holds the open incident, so "one open incident" is atomic. */
  incidentsAggregate: (service: string) => `INCIDENTS#${service}`,
  incidentsHead: (service: string) => ({ PK: `INCIDENTS#${service}`, SK: 'HEAD' }),
  /** Marks an alert as joined to an incident, so joining it again changes nothing. */
  incidentAlert: (service: string, alertId: string) => ({ PK: `INCIDENTS#${service}`, SK: `ALERT#${alertId}` }),
  incident: (id: string) => ({ PK: `INCIDENT#${id}`, SK: 'INCIDENT' }),
  incidentsIndex: (id: string) => ({ GSI1PK: 'INCIDENTS', GSI1SK: id }),
  incidentsListPartition: 'INCIDENTS',
  /** A service's incidents in GSI2, by id (opening order): its list, stats and uptime read only these. */
  serviceIncidentsIndex: (service: string, id: string) => ({ GSI2PK: `SVCINCIDENTS#${service}`, GSI2SK: id }),
  serviceIncidentsPartition: (service: string) => `SVCINCIDENTS#${service}`,
  incidentEntry: (id: string, entryId: string) => ({ PK: `INCIDENT#${id}`, SK: `ENTRY#${entryId}` }),
  incidentEntryPrefix: 'ENTRY#',

  /** One aggregate per webhook: its definition (the signing secret is in the secret value store). */
  webhookAggregate: (id: string) => `WEBHOOK#${id}`,
  webhook: (id: string) => ({ PK: `WEBHOOK#${id}`, SK: 'HEAD' }),
  webhooksIndex: (id: string) => ({ GSI1PK: 'WEBHOOKS', GSI1SK: id }),
  webhooksListPartition: 'WEBHOOKS',
  /** Delivery state of a webhook: per-event claims (idempotency), attempts, and health. Not events. */
  webhookDeliveries: (id: string) => `WEBHOOKDLV#${id}`,
  webhookClaim: (id: string, eventId: string) => ({ PK: `WEBHOOKDLV#${id}`, SK: `CLAIM#${eventId}` }),
  webhookDeliveryPrefix: 'DLV#',
  webhookHealth: (id: string) => ({ PK: `WEBHOOKDLV#${id}`, SK: 'HEALTH' }),
  /** An event every attempt failed to deliver: listed and replayed from here. */
  webhookDeadLetter: (id: string, eventId: string) => ({ PK: `WEBHOOKDLV#${id}`, SK: `DEAD#${eventId}` }),
  webhookDeadLetterPrefix: 'DEAD#',

  /** One aggregate per email address: its head names the address's live subscription, so "one per address" is atomic. */
  subscriptionEndpointAggregate: (endpoint: string) => `SUBEMAIL#${endpoint}`,
  subscriptionEndpointHead: (endpoint: string) => ({ PK: `SUBEMAIL#${endpoint}`, SK: 'HEAD' }),
  subscription: (id: string) => ({ PK: `SUBSCRIPTION#${id}`, SK: 'SUBSCRIPTION' }),
  subscriptionsIndex: (id: string) => ({ GSI1PK: 'SUBSCRIPTIONS', GSI1SK: id }),
  subscriptionsListPartition: 'SUBSCRIPTIONS',

  /** One aggregate per service for its API contracts: version policy, OpenAPI pointers, consumers, migration plans. */
  apiContractsAggregate: (service: string) => `APICONTRACT#${service}`,
  apiContractsHead: (service: string) => ({ PK: `APICONTRACT#${service}`, SK: 'HEAD' }),
  openApiDocument: (service: string, precedence: string) => ({ PK: `APICONTRACT#${service}`, SK: `DOC#${precedence}` }),
  consumer: (service: string, name: string) => ({ PK: `APICONTRACT#${service}`, SK: `CONSUMER#${name}` }),
  consumerPrefix: 'CONSUMER#',
  openApiUpload: (service: string, id: string) => ({ PK: `APICONTRACT#${service}`, SK: `UPLOAD#${id}` }),
  migration: (service: string, id: string) => ({ PK: `APICONTRACT#${service}`, SK: `MIGRATION#${id}` }),
  migrationPrefix: 'MIGRATION#',
  /** Sparse: a plan sits here while it waits for its start time or runs, so the scheduler reads only those. */
  openMigrationsIndex: (due: string, id: string) => ({ GSI2PK: 'MIGRATIONS', GSI2SK: `${due}#${id}` }),
  openMigrationsPartition: 'MIGRATIONS',

  /** One aggregate per model: its policy and settings (head) and its aliases. */
  modelAggregate: (service: string) => `MODEL#${service}`,
  modelHead: (service: string) => ({ PK: `MODEL#${service}`, SK: 'HEAD' }),
  modelAlias: (service: string, alias: string) => ({ PK: `MODEL#${service}`, SK: `ALIAS#${alias}` }),
  modelAliasPrefix: 'ALIAS#',
  /**
   * Inference telemetry, aggregated (not events): one cell per version, environment and minute or
   * hour in the version's partition, and one per day in the service's, for costs and registry views.
   */
  inferenceCells: (service: string, version: string) => `INFER#${service}#${version}`,
  inferenceCellSortKey: (granularity: 'minute' | 'hour', environment: string, label: string) =>
    `${granularity === 'minute' ? 'M' : 'H'}#${environment}#${label}`,
  inferenceDays: (service: string) => `INFERDAY#${service}`,
  inferenceDaySortKey: (day: string, environment: string, version: string) => `${day}#${environment}#${version}`,
  /** One aggregate per service for its sunset notices: which thresholds of which deprecated versions were announced. */
  sunsetNoticesAggregate: (service: string) => `SUNSET#${service}`,
  sunsetNoticesHead: (service: string) => ({ PK: `SUNSET#${service}`, SK: 'HEAD' }),
} as const;

/** A partition only key management may write (`keys.keyPartitionPrefixes`). */
export function isKeyPartition(partition: string): boolean {
  return keys.keyPartitionPrefixes.some((prefix) => partition.startsWith(prefix));
}

export function eventSortKey(seq: number): string {
  return `EVT#${String(seq).padStart(10, '0')}`;
}

/** Sort key of an event in a time-ordered index: ISO time then id, so ties stay stable. */
export function timeSortKey(at: string, eventId: string): string {
  return `${at}#${eventId}`;
}

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { docsPage, scalarScript } from './docs-page.ts';
import { openApiDocumentFor } from './openapi-document.ts';
import * as contracts from './system.contract.ts';
import * as docs from './docs.contract.ts';
import { implement } from '#kernel/http/operation';
import { documentClient, tableName } from '#kernel/store/client';

const startedAt = new Date();
const noStore = { 'cache-control': 'no-store' };

/** The running build's version: set by the stack from package.json, and by the local runtime. */
function stewardVersion(): string {
  return process.env.STEWARD_VERSION ?? '0.0.0';
}

export const systemOperations = [
  implement(contracts.getHealth, async () => ({ status: 200, body: { status: 'ok' }, headers: noStore })),

  implement(contracts.getReadiness, async () => {
    try {
      await documentClient().send(new GetCommand({ TableName: tableName(), Key: { PK: 'SYSTEM', SK: 'READY' } }));
      return { status: 200, body: { status: 'ready', checks: { table: 'ok' } }, headers: noStore };
    } catch {
      return { status: 503, body: { status: 'unavailable', checks: { table: 'failing' } }, headers: noStore };
    }
  }),

  implement(contracts.getSystemInfo, async () => ({
    status: 200,
    body: {
      name: 'steward',
      version: stewardVersion(),
      stage: process.env.STAGE ?? 'local',
      region: process.env.AWS_REGION ?? 'local',
      runtime: process.env.AWS_LAMBDA_FUNCTION_NAME ? 'aws' : 'local',
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    },
  })),

  implement(contracts.getOpenApiDocument, async () => ({ status: 200, body: openApiDocumentFor(stewardVersion()) })),

  implement(contracts.getDocs, async () => ({
    status: 200,
    contentType: 'text/html; charset=utf-8',
    body: docsPage('Steward', stewardVersion()),
  })),

  implement(docs.getRoot, async () => ({ status: 302, headers: { location: '/docs', 'cache-control': 'no-store' } })),

  // The page asks for it with ?v=<version>, so it can be cached for as long as that version runs.
  implement(docs.getDocsScript, async () => ({
    status: 200,
    contentType: 'text/javascript; charset=utf-8',
    body: scalarScript(),
    headers: { 'cache-control': 'public, max-age=86400' },
  })),
];

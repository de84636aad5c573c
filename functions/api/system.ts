import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { renderReference } from '#api/docs-page';
import { openApiDocument } from '#api/openapi';
import { defineOperation, type Operation } from '#http/operation';
import { HealthView, ReadyView, SystemInfoView } from '#schemas/system';
import { documentClient, tableName } from '#store/client';

const tag = 'System';
const group = 'system';
const startedAt = new Date();

/** The running build's version: set by the stack from package.json, and by the local runtime. */
function stewardVersion(): string {
  return process.env.STEWARD_VERSION ?? '0.0.0';
}

/** Probes, the OpenAPI document and the rendered reference. `allOperations` is read when a request needs it. */
export function systemOperations(allOperations: () => Operation[]): Operation[] {
  let document: ReturnType<typeof openApiDocument> | undefined;
  const documentOnce = () => (document ??= openApiDocument(allOperations(), stewardVersion()));
  return [
    defineOperation({
      operationId: 'getHealth',
      group,
      tag,
      method: 'GET',
      path: '/health',
      summary: 'Liveness',
      access: 'public',
      responses: { 200: { description: 'The API answers.', schema: HealthView } },
      handle: async () => ({ status: 200, body: { status: 'ok' }, headers: { 'cache-control': 'no-store' } }),
    }),
    defineOperation({
      operationId: 'getReadiness',
      group,
      tag,
      method: 'GET',
      path: '/health/ready',
      summary: 'Readiness: the table answers',
      access: 'public',
      responses: { 200: { description: 'Ready.', schema: ReadyView }, 503: { description: 'The table does not answer.' } },
      handle: async () => {
        try {
          await documentClient().send(new GetCommand({ TableName: tableName(), Key: { PK: 'SYSTEM', SK: 'READY' } }));
          return { status: 200, body: { status: 'ready', checks: { table: 'ok' } }, headers: { 'cache-control': 'no-store' } };
        } catch {
          return { status: 503, body: { status: 'unavailable', checks: { table: 'failing' } }, headers: { 'cache-control': 'no-store' } };
        }
      },
    }),
    defineOperation({
      operationId: 'getSystemInfo',
      group,
      tag,
      method: 'GET',
      path: '/system/info',
      summary: 'Version, stage, region and uptime',
      access: 'viewer',
      responses: { 200: { description: 'About this deployment.', schema: SystemInfoView } },
      handle: async () => ({
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
      }),
    }),
    defineOperation({
      operationId: 'getOpenApiDocument',
      group,
      tag,
      method: 'GET',
      path: '/openapi.json',
      summary: 'This OpenAPI 3.1 document',
      access: 'public',
      responses: { 200: { description: 'The document.', schema: z.record(z.string(), z.unknown()) } },
      handle: async () => ({ status: 200, body: documentOnce() }),
    }),
    defineOperation({
      operationId: 'getDocs',
      group,
      tag,
      method: 'GET',
      path: '/docs',
      summary: 'The API reference, as HTML',
      access: 'public',
      responses: { 200: { description: 'An HTML page.', contentType: 'text/html', schema: z.string() } },
      handle: async () => ({ status: 200, contentType: 'text/html; charset=utf-8', body: renderReference(documentOnce() as unknown as Record<string, unknown>) }),
    }),
  ];
}

import * as z from 'zod';
import { defineContract } from '#kernel/http/operation';
import { HealthView, ReadyView, SystemInfoView } from './system.schema.ts';

const tag = 'System';
const group = 'system';

export const getHealth = defineContract({
  operationId: 'getHealth',
  group,
  tag,
  method: 'GET',
  path: '/health',
  summary: 'Liveness',
  access: 'public',
  scope: { from: 'none' },
  responses: { 200: { description: 'The API answers.', schema: HealthView } },
});

export const getReadiness = defineContract({
  operationId: 'getReadiness',
  group,
  tag,
  method: 'GET',
  path: '/health/ready',
  summary: 'Readiness: the table answers',
  access: 'public',
  scope: { from: 'none' },
  responses: { 200: { description: 'Ready.', schema: ReadyView }, 503: { description: 'The table does not answer.' } },
});

export const getSystemInfo = defineContract({
  operationId: 'getSystemInfo',
  group,
  tag,
  method: 'GET',
  path: '/system/info',
  summary: 'Version, stage, region and uptime',
  access: 'viewer',
  scope: { from: 'none' },
  responses: { 200: { description: 'About this deployment.', schema: SystemInfoView } },
});

export const getOpenApiDocument = defineContract({
  operationId: 'getOpenApiDocument',
  group,
  tag,
  method: 'GET',
  path: '/openapi.json',
  summary: 'This OpenAPI 3.1 document',
  access: 'public',
  scope: { from: 'none' },
  responses: { 200: { description: 'The document.', schema: z.record(z.string(), z.unknown()) } },
});

export const getDocs = defineContract({
  operationId: 'getDocs',
  group,
  tag,
  method: 'GET',
  path: '/docs',
  summary: 'The API reference, as HTML',
  access: 'public',
  scope: { from: 'none' },
  responses: { 200: { description: 'An HTML page.', contentType: 'text/html', schema: z.string() } },
});

export const systemContracts = [getHealth, getReadiness, getSystemInfo, getOpenApiDocument, getDocs];

import * as z from 'zod';
import { defineContract } from '#kernel/http/operation';

const tag = 'System';
const group = 'system';

/** `GET /`: where a person who opens the API's address in a browser lands. */
export const getRoot = defineContract({
  operationId: 'getRoot',
  group,
  tag,
  method: 'GET',
  path: '/',
  summary: 'Redirects to the API reference (/docs)',
  access: 'public',
  scope: { from: 'none' },
  responses: { 302: { description: 'To /docs.', headers: { Location: { description: '/docs' } } } },
});

/** The API reference's script (Scalar's standalone build), served here rather than from a CDN. */
export const getDocsScript = defineContract({
  operationId: 'getDocsScript',
  group,
  tag,
  method: 'GET',
  path: '/docs/scalar.js',
  summary: "The API reference's script",
  description: "Scalar's API reference, the standalone build from the @scalar/api-reference package; /docs loads it.",
  access: 'public',
  scope: { from: 'none' },
  query: z.strictObject({
    v: z.string().max(64).optional().meta({ description: "Steward's version, so that a browser caches the script per version." }),
  }),
  responses: { 200: { description: 'JavaScript.', contentType: 'text/javascript', schema: z.string() } },
});

export const docsContracts = [getRoot, getDocsScript];

import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { lambdaHandler } from '../../functions/kernel/http/lambda-handler.ts';
import { defineContract, implement } from '../../functions/kernel/http/operation.ts';
import { allContracts } from '../../functions/system/all-contracts.ts';
import { openApiDocument } from '../../functions/system/openapi.ts';
import { apiEvent } from '../helpers/api-event.ts';
import { invoke } from '../helpers/handler-client.ts';

/**
 * Issue 11 §9: "Steward's own deprecated routes, if any, send them too". None of Steward's routes
 * is deprecated today (checked below); a route that is says so in its contract (`deprecation`), and
 * the HTTP pipeline then sets RFC 9745 Deprecation, RFC 8594 Sunset and Link on each of its
 * responses, problems included, and the OpenAPI document marks it deprecated. A test-only contract
 * goes through the same lambdaHandler every route group uses.
 */

// RFC 9745 §2.1's example instant, and RFC 8594's.
const DEPRECATION = { deprecatedAt: '2023-06-30T23:59:59Z', sunsetAt: '2018-12-31T23:59:59Z', successor: '/v2/greetings/{name}' };
const oldRoute = defineContract({
  operationId: 'getGreetingOld',
  group: 'system',
  tag: 'Test',
  method: 'GET',
  path: '/v1/greetings/{name}',
  summary: 'A greeting (old)',
  access: 'public',
  scope: { from: 'none' },
  params: z.strictObject({ name: z.string().regex(/^[a-z]+$/) }),
  responses: { 200: { description: 'A greeting.' } },
  deprecation: DEPRECATION,
});
const currentRoute = defineContract({ ...oldRoute, operationId: 'getGreeting', path: '/v2/greetings/{name}', deprecation: undefined });

const handler = lambdaHandler([
  implement(oldRoute, async (request) => ({ status: 200, body: { hello: request.params.name } })),
  implement(currentRoute, async (request) => ({ status: 200, body: { hello: request.params.name } })),
]);

describe("Steward's own deprecated routes", () => {
  it('no Steward route is deprecated today', () => {
    expect(allContracts.filter((contract) => contract.deprecation)).toEqual([]);
  });

  it('a deprecated route answers with Deprecation, Sunset and Link, exactly as the RFCs write them', async () => {
    const reply = await invoke(handler, apiEvent({ routeKey: 'GET /v1/greetings/{name}', pathParameters: { name: 'ada' } }));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ hello: 'ada' });
    expect(reply.headers.deprecation).toBe('@1688169599');
    expect(reply.headers.sunset).toBe('Mon, 31 Dec 2018 23:59:59 GMT');
    expect(reply.headers.link).toBe(
      '</openapi.json>; rel="deprecation"; type="application/json", </v2/greetings/ada>; rel="successor-version"',
    );
  });

  it('its problems carry them too; its successor and unmatched requests carry none', async () => {
    const invalid = await invoke(handler, apiEvent({ routeKey: 'GET /v1/greetings/{name}', pathParameters: { name: 'ADA' } }));
    expect(invalid.status).toBe(400);
    expect(invalid.headers['content-type']).toBe('application/problem+json');
    expect(invalid.headers.deprecation).toBe('@1688169599');
    expect(invalid.headers.link).toContain('rel="successor-version"');

    const current = await invoke(handler, apiEvent({ routeKey: 'GET /v2/greetings/{name}', pathParameters: { name: 'ada' } }));
    expect(current.status).toBe(200);
    expect(current.headers.deprecation).toBeUndefined();
    expect(current.headers.sunset).toBeUndefined();
    expect(current.headers.link).toBeUndefined();

    const unmatched = await invoke(handler, apiEvent({ routeKey: '$default', method: 'GET', path: '/v1/nothing' }));
    expect(unmatched.status).toBe(404);
    expect(unmatched.headers.deprecation).toBeUndefined();
  });

  it('without a sunset: Deprecation and Link only', async () => {
    const { sunsetAt: _, ...noSunset } = DEPRECATION;
    const quiet = lambdaHandler([implement({ ...oldRoute, deprecation: noSunset }, async () => ({ status: 204 }))]);
    const reply = await invoke(quiet, apiEvent({ routeKey: 'GET /v1/greetings/{name}', pathParameters: { name: 'ada' } }));
    expect(reply.status).toBe(204);
    expect(reply.headers.deprecation).toBe('@1688169599');
    expect(reply.headers.sunset).toBeUndefined();
    expect(reply.headers.link).toContain('</v2/greetings/ada>; rel="successor-version"');
  });

  it('the OpenAPI document marks it deprecated and documents the headers', () => {
    const document = openApiDocument([oldRoute, currentRoute], 'test') as {
      paths: Record<string, { get: { deprecated?: boolean; responses: Record<string, { headers?: object }> } }>;
    };
    const old = document.paths['/v1/greetings/{name}']?.get;
    expect(old?.deprecated).toBe(true);
    expect(Object.keys(old?.responses['200']?.headers ?? {})).toEqual(['Deprecation', 'Sunset', 'Link']);
    expect(Object.keys(old?.responses['400']?.headers ?? {})).toEqual(['Deprecation', 'Sunset', 'Link']);
    expect(document.paths['/v2/greetings/{name}']?.get.deprecated).toBeUndefined();
  });
});

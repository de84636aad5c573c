import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { type FieldError, ValidationError } from '../../errors.ts';
import { requestState } from '../request-state.ts';

// zod/mini, which parses classic and mini schemas alike, so that handlers whose contracts are
// all zod/mini (config-writes, config-transfer) bundle no classic zod. zod/mini sets no locale:
// English, as classic zod sets it on its first schema, unless one is already set.
if (!z.config().localeError) z.config(en());

const NO_QUERY = z.strictObject({});

/**
 * Validates path parameters, query and body with the operation's zod schemas (the same ones
 * the OpenAPI document is generated from). Every problem is reported, each with a JSON
 * Pointer into the request: `/path/name`, `/query/limit`, `/body/changes/0/type`.
 */
export function validateInput(): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    name: 'validateInput',
    before: function validateInputBefore(request) {
      const state = requestState(request);
      const { operation } = state;
      const { event } = request;
      const errors: FieldError[] = [];
      const check = (location: string, schema: z.core.$ZodType | undefined, value: unknown) => {
        if (!schema) return undefined;
        const result = z.safeParse(schema, value);
        if (result.success) return result.data;
        errors.push(...result.error.issues.flatMap((issue) => fieldErrors(location, issue)));
        return undefined;
      };
      const bodyValue = state.json === undefined && operation.bodyOptional ? {} : state.json;
      if (operation.body && bodyValue === undefined) {
        errors.push({ pointer: '/body', message: 'a JSON body is required' });
      }
      const input = {
        params: check('path', operation.params, event.pathParameters ?? {}),
        // Unknown fields are refused everywhere, so a route without query parameters refuses any.
        query: check('query', operation.query ?? NO_QUERY, event.queryStringParameters ?? {}),
        body: bodyValue === undefined ? undefined : check('body', operation.body, bodyValue),
      };
      if (errors.length > 0) {
        const summary = errors.map((error) => `${error.pointer}: ${error.message}`).join('; ');
        throw new ValidationError(`The request is not valid: ${summary}.`, errors);
      }
      state.input = input;
    },
  };
}

/** One reference token of a JSON Pointer (RFC 6901): `~` and `/` escaped. */
const pointerToken = (segment: PropertyKey) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1');

function fieldErrors(location: string, issue: z.core.$ZodIssue): FieldError[] {
  const base = `/${location}${issue.path.map((segment) => `/${pointerToken(segment)}`).join('')}`;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ pointer: `${base}/${pointerToken(key)}`, message: 'is not a known field' }));
  }
  return [{ pointer: base, message: issue.message }];
}

import * as z from 'zod';
import { Actor, ENVIRONMENT_NAME_CHECKS, SLUG_CHECKS } from './mini.ts';

/** A service or environment name: lowercase letters, digits and dashes, 3–63 characters. */
export const Slug = z
  .string()
  .check(...SLUG_CHECKS)
  .meta({ example: 'payments-api' });

/** An environment name: like a slug, but two characters are enough (`qa`). */
export const EnvironmentName = z
  .string()
  .check(...ENVIRONMENT_NAME_CHECKS)
  .meta({ example: 'prod' });

export const Timestamp = z.iso
  .datetime({ offset: true })
  .meta({ description: 'ISO 8601 UTC timestamp', example: '2026-11-23T09:30:00.000Z' });

export const Ulid = z
  .string()
  .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID')
  .meta({ example: '01JDQ6Z5K2N3P4Q5R6S7T8V9W0' });

export const ListQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be a whole number from 1 to 100').max(100, 'must be a whole number from 1 to 100'))
    .default(25)
    .meta({ description: 'Page size (1–100).' }),
  cursor: z.string().min(1).max(2048).optional().meta({ description: 'The `nextCursor` of the previous page.' }),
});

export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
    })
    .meta({ id });
}

// One instance shared with the zod/mini schemas: its `id` names one OpenAPI component.
export { Actor };

export const Problem = z
  .object({
    type: z.string().meta({ example: 'https://steward.dev/problems/conflict' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          pointer: z.string().meta({ example: '/body/version' }),
          message: z.string(),
          line: z.number().int().optional(),
          column: z.number().int().optional(),
        }),
      )
      .optional()
      .meta({ description: 'Present on validation problems: one entry per invalid field.' }),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document.' });

/** How deep metadata may nest: its record sits three levels down in an event item, and DynamoDB stops at 32. */
export const MAX_METADATA_DEPTH = 16;

/**
 * Why a JSON value cannot be stored as metadata, or undefined when it can. DynamoDB numbers
 * hold integers exactly only up to 2^53 here and nothing smaller than 1e-130; walking with a
 * depth limit also keeps a deeply nested body from overflowing the stack.
 */
function metadataProblem(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'number') {
    if (Number.isInteger(value) ? !Number.isSafeInteger(value) : Math.abs(value) < 1e-130) {
      return 'numbers must be integers within ±2^53-1 or decimals no smaller than 1e-130 (send larger ones as strings)';
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_METADATA_DEPTH) return `must nest at most ${MAX_METADATA_DEPTH} levels deep`;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    const problem = metadataProblem(item, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** Free-form JSON metadata, capped so a record stays small. */
export const Metadata = z.record(z.string().max(128), z.unknown()).superRefine((value, context) => {
  const problem = metadataProblem(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
  else if (JSON.stringify(value).length > 16_384) context.addIssue({ code: 'custom', message: 'must be at most 16 KB of JSON' });
});

export const Tags = z
  .record(
    z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\w.:/=+@ -]+$/, 'tag keys use letters, digits, spaces and _.:/=+-@'),
    z.string().max(256),
  )
  .refine((value) => Object.keys(value).length <= 50, 'at most 50 tags')
  .meta({ example: { team: 'payments', tier: '1' } });

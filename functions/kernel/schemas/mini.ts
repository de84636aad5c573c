import * as z from 'zod/mini';

/**
 * Shared schemas written with zod/mini, for contracts whose handlers must stay small: the
 * configuration contracts (config-writes and config-transfer also bundle Ajv and YAML). zod/mini
 * runs the same core as classic zod, so the same checks give the same issues and messages, and
 * the OpenAPI document is generated from both alike; what it leaves out is classic zod's methods
 * (about 70 KB minified). Classic schemas (#schemas/common) take their checks from here, so a
 * name's rules are written once.
 */

const NAME_PATTERN = z.regex(
  /^[a-z0-9][a-z0-9-]*[a-z0-9]$/,
  'must be lowercase letters, digits and dashes, starting and ending with a letter or digit',
);
const NAME_MAX = z.maxLength(63, 'must be at most 63 characters');

/** A service or environment name: lowercase letters, digits and dashes, 3–63 characters. */
export const SLUG_CHECKS = [NAME_PATTERN, z.minLength(3, 'must be at least 3 characters'), NAME_MAX] as const;
/** An environment name: like a slug, but two characters are enough (`qa`). */
export const ENVIRONMENT_NAME_CHECKS = [NAME_PATTERN, NAME_MAX] as const;

export const Slug = z.string().check(...SLUG_CHECKS, z.meta({ example: 'payments-api' }));
export const EnvironmentName = z.string().check(...ENVIRONMENT_NAME_CHECKS, z.meta({ example: 'prod' }));

export const ServiceName = z.strictObject({
  name: z.string().check(...SLUG_CHECKS, z.meta({ example: 'payments-api', description: 'The service name.' })),
});

export const Timestamp = z.iso
  .datetime({ offset: true })
  .check(z.meta({ description: 'ISO 8601 UTC timestamp', example: '2026-11-23T09:30:00.000Z' }));

/** One instance for classic and mini schemas alike: its `id` names one OpenAPI component. */
export const Actor = z.object({ keyId: z.string(), name: z.string() }).check(z.meta({ id: 'Actor' }));

const PAGE_SIZE_MESSAGE = 'must be a whole number from 1 to 100';

/** The mini twin of #schemas/common ListQuery (test/unit/mini-schemas.test.ts keeps them equal). */
export const ListQuery = z.strictObject({
  limit: z
    ._default(
      z.pipe(
        z.pipe(z.string().check(z.regex(/^\d{1,3}$/, PAGE_SIZE_MESSAGE)), z.transform(Number)),
        z.number().check(z.int(), z.gte(1, PAGE_SIZE_MESSAGE), z.lte(100, PAGE_SIZE_MESSAGE)),
      ),
      25,
    )
    .check(z.meta({ description: 'Page size (1–100).' })),
  cursor: z
    .optional(z.string().check(z.minLength(1), z.maxLength(2048)))
    .check(z.meta({ description: 'The `nextCursor` of the previous page.' })),
});

export function pageOf<T extends z.core.$ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.nullable(z.string()).check(z.meta({ description: 'Pass as `cursor` for the next page; null on the last page.' })),
    })
    .check(z.meta({ id }));
}

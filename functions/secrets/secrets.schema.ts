import * as z from 'zod';
import {
  DEFAULT_RECOVERY_DAYS,
  MAX_RECOVERY_DAYS,
  MAX_SECRET_VALUE_BYTES,
  MIN_RECOVERY_DAYS,
  SECRET_STATUSES,
  SECRET_TYPES,
} from './secret.domain.ts';
import { Actor, ListQuery, pageOf, Slug, Timestamp } from '#kernel/schemas/common';

/** Letters, digits, `_`, `-`, `.`; not only dots, since `.` and `..` path segments never reach a route. */
export const SecretName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1–128 letters, digits, "_", "-" or "."')
  .refine((name) => !/^\.+$/.test(name), 'must not be only dots')
  // Steward keeps its own secrets (an HTTP router's signing secret) beside yours under `steward-`.
  .refine((name) => !name.toLowerCase().startsWith('steward-'), 'names starting with "steward-" are reserved for Steward itself')
  .meta({
    description: 'The secret’s name within its environment. Names starting with `steward-` are reserved.',
    example: 'DATABASE_PASSWORD',
  });

export const SecretParams = z.strictObject({
  name: Slug.meta({ description: 'The service name.' }),
  env: Slug.meta({ description: 'The environment.', example: 'prod' }),
  secretName: SecretName,
});

/** Lone surrogates cannot be stored as UTF-8 unchanged: refuse them rather than alter the text. */
function wellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

export const SecretPut = z
  .strictObject({
    value: z
      .string()
      .min(1, 'must not be empty')
      .refine(wellFormed, 'must be well-formed Unicode (no lone surrogates)')
      .meta({
        description: `The value: at most ${MAX_SECRET_VALUE_BYTES} bytes (64 KB) of UTF-8 (413 beyond). Stored in the value store only, never shown again except by reveal.`,
      }),
    type: z
      .enum(SECRET_TYPES)
      .optional()
      .meta({ description: 'Defaults to `generic` for a new secret; left out, an existing secret keeps its type.' }),
    description: z.string().max(1000).refine(wellFormed, 'must be well-formed Unicode').nullable().optional(),
    expiresAt: Timestamp.nullable()
      .optional()
      .meta({ description: 'When the value stops working; the scheduled check warns 14 days before. `null` clears it.' }),
    rotationDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .nullable()
      .optional()
      .meta({ description: 'Rotate the value every this many days; the scheduled check says when it is due. `null` clears it.' }),
  })
  .meta({
    id: 'SecretPut',
    description: 'Writes a new value (a new version). Fields left out keep their current setting; `null` clears one.',
  });

export const SecretListQuery = ListQuery.extend({ environment: Slug.optional().meta({ description: 'Only this environment’s secrets.' }) });

export const SecretDeleteQuery = z.strictObject({
  recoveryDays: z.coerce
    .number()
    .int()
    .min(MIN_RECOVERY_DAYS)
    .max(MAX_RECOVERY_DAYS)
    .default(DEFAULT_RECOVERY_DAYS)
    .meta({
      description: `Days before the value is deleted for good (${MIN_RECOVERY_DAYS}–${MAX_RECOVERY_DAYS}); until then a PUT restores it.`,
    }),
});

export const SecretView = z
  .object({
    service: Slug,
    environment: Slug,
    name: z.string(),
    type: z.enum(SECRET_TYPES),
    description: z.string().nullable(),
    version: z.number().int().meta({ description: '1 for the first value, one more for every PUT.' }),
    status: z.enum(SECRET_STATUSES),
    createdAt: Timestamp,
    updatedAt: Timestamp.meta({ description: 'When the current value was written.' }),
    updatedBy: Actor,
    expiresAt: Timestamp.nullable(),
    rotationDays: z.number().int().nullable(),
    rotationDueAt: Timestamp.nullable().meta({ description: '`updatedAt` plus `rotationDays`.' }),
    lastRevealedAt: Timestamp.nullable(),
    lastRevealedBy: z.nullable(Actor),
    deletionDate: Timestamp.nullable().meta({ description: 'While scheduled for deletion: when the value is deleted for good.' }),
    expiryNoticeAt: Timestamp.nullable().meta({ description: 'When `secret.expiring` was raised for the current value.' }),
    rotationNoticeAt: Timestamp.nullable().meta({ description: 'When `secret.rotation_due` was raised for the current value.' }),
    etag: z.string(),
  })
  .meta({ id: 'Secret', description: 'A secret’s metadata. The value is never part of it.' });

export const SecretPage = pageOf(SecretView, 'SecretPage');

export const SecretRevealed = z
  .object({
    service: Slug,
    environment: Slug,
    name: z.string(),
    version: z.number().int(),
    value: z.string(),
    revealedAt: Timestamp,
  })
  .meta({ id: 'SecretRevealed' });

/** Reveal takes no input; an empty JSON object is accepted for clients that always send one. */
export const RevealBody = z.strictObject({});

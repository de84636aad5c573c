import * as z from 'zod';
import { MAX_VERSION_LENGTH } from './semver.domain.ts';

/**
 * A version as the API takes it. In a module of its own so that other features' schemas can
 * name it (deployments.schema.ts) without bundling every version schema (versions.schema.ts)
 * into their functions: zod schemas are built when their module loads, so a bundle keeps every
 * schema of every module it imports.
 */
export const VersionString = z
  .string()
  .min(1)
  .max(MAX_VERSION_LENGTH)
  .meta({ description: 'A strict SemVer 2.0.0 version.', example: '1.4.0' });

/**
 * What other features may use of secrets's data. A feature never imports another feature's
 * store directly (docs/architecture.md), so this is the whole of that surface.
 */
export { secretUsable, secretValueForUse } from './secrets.reads.ts';

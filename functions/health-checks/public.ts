/**
 * What other features may use of health-checks's stored data. A feature never imports another
 * feature's store directly (docs/architecture.md), so this is the whole of that surface.
 */
export { listHealthChecks } from './health-checks.store.ts';

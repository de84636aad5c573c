/**
 * What other features may use of services's stored data. A feature never imports another
 * feature's store directly (docs/architecture.md), so this is the whole of that surface.
 */
export { getService, listServices } from './services.store.ts';
export { getVersion, listVersions } from './versions.store.ts';

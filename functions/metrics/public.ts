/**
 * What other features may use of metrics's stored data. A feature never imports another
 * feature's store directly (docs/architecture.md), so this is the whole of that surface.
 */
export { putSamples, querySamples, sampleWrites } from './metrics.store.ts';

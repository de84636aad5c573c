/**
 * What other features may use of deployments's stored data. A feature never imports another
 * feature's store directly (docs/architecture.md), so this is the whole of that surface.
 */
export { getDeployment, getEnvironment, listDeployments, listEnvironments } from './environments.store.ts';

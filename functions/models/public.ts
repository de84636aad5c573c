/**
 * What other features may use of the models feature: an alias's version (the versions route
 * resolves `@alias`), the deployability check a deployment's start runs and the record of an
 * admin's override of it, the canary judge, the resolution of a version's sunset alert when
 * it is retired, and who a version's inferences came from (a version's consumers, for the API
 * contracts feature). The demotion a promotion makes is
 * `promotion.commands.ts` (it changes versions, so only the workflow's tasks bundle it).
 */
export { recordDeployabilityOverride } from './aliases.commands.ts';
export { checkModelDeployment } from './deployability.reads.ts';
export { aliasTarget, servingStatuses } from './models.reads.ts';
export { type BakeToJudge, judgeBake } from './canary.reads.ts';
export type { CanaryJudgement } from './statistics/index.ts';
export { resolveSunsetAlert } from './sunset-alerts.commands.ts';
export { type InferenceClient, inferenceClients } from './clients.reads.ts';

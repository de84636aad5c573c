/**
 * What other features may use of the API contracts feature (docs/architecture.md §8): the release
 * gate, which the services feature's release command asks for a verdict.
 */
export {
  type AutoDeprecation,
  autoDeprecations,
  type GeneratedChange,
  type ReleaseRequest,
  type ReleaseVerdict,
  releaseVerdict,
} from './release-gate.ts';
export { checkRetirement } from './consumers.ts';

// The public surface of Steward's OpenAPI contract engine: load, diff, judge the version bump, write change logs.

export { type BumpCheck, checkBump, compareSemver, parseSemver, type SemVer, type Step } from './bump.ts';
export {
  type ChangeClass,
  type ChangelogEntry,
  type ChangelogJson,
  classifyChange,
  renderChangelogJson,
  renderChangelogMarkdown,
  type Section,
  sectionOf,
} from './changelog.ts';
export { canonicalJson } from './canonical.ts';
export { type Bump, type Change, type DiffOptions, type DiffReport, diffOpenApi, type OpenApiInput, requiredBumpOf } from './diff.ts';
export { type DocumentProblem, OpenApiDiffError, OpenApiDocumentError, SemverError } from './errors.ts';
export { applyKnownChanges, type ExpectedChange, type GenerateOptions, generateLargeDocument } from './generate.ts';
export { type LoadedOpenApiDocument, loadOpenApiDocument, MAX_DOCUMENT_BYTES, type OpenApiMediaType } from './load.ts';
export { getRule, type Level, RULES, type Rule, type RuleKind } from './rules.ts';

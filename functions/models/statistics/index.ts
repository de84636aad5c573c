/**
 * The statistics core of the model features: what the telemetry ingestion, the policy evaluation,
 * the version comparison and the canary judge import. Pure functions only, no I/O.
 */
export {
  type InferenceRecord,
  type ModelAggregate,
  type ModelPricing,
  type ModelSummary,
  aggregateRecords,
  checkAggregate,
  emptyAggregate,
  errorCount,
  mergeAggregates,
  mergeAllAggregates,
  recordCost,
  summariseAggregate,
  UNKNOWN_ERROR_TYPE,
} from './aggregate.ts';
export {
  type CanaryAction,
  type CanaryConfig,
  type CanaryInput,
  type CanaryJudgement,
  type CanaryMetric,
  type CanaryOutcome,
  type CanaryTolerances,
  type Classification,
  type MetricJudgement,
  CANARY_METRICS,
  DEFAULT_CANARY_CONFIG,
  DEFAULT_CANARY_TOLERANCES,
  judgeCanary,
} from './canary-judge.ts';
export {
  type ComparisonRow,
  type Marker,
  type SignificanceMarker,
  type VersionComparison,
  type VersionDeltas,
  type VersionInput,
  compareVersions,
  DEFAULT_ALPHA,
} from './compare.ts';
export { StatisticsError } from './errors.ts';
export {
  type Criterion,
  type LatencyPercentile,
  type ModelPolicy,
  type PolicyEvaluation,
  type Verdict,
  DEFAULT_MODEL_POLICY,
  evaluatePolicy,
  LATENCY_PERCENTILES,
  resolveModelPolicy,
} from './evaluation.ts';
export {
  type Degenerate,
  type MannWhitneyResult,
  type ProportionSample,
  type TwoProportionResult,
  erfc,
  mannWhitneyU,
  normalCdf,
  twoProportionZTest,
  twoSidedPValue,
} from './hypothesis-tests.ts';
export {
  type SketchData,
  type WeightedValue,
  emptySketchData,
  mergeSketchData,
  QuantileSketch,
  SKETCH_RELATIVE_ACCURACY,
  SKETCH_ZERO_THRESHOLD,
} from './sketch.ts';

import type { Suite } from '../suite.ts';
import { bundlesSuite } from './bundles.ts';
import { configsSuite } from './configs.ts';
import { contractsSuite } from './contracts.ts';
import { deploymentsSuite } from './deployments.ts';
import { modelsSuite } from './models.ts';
import { monitoringSuite } from './monitoring.ts';
import { registrySuite } from './registry.ts';
import { streamSuite } from './stream.ts';

/** Every suite, in the order they run. A new feature adds its suite here. */
export const SUITES: Suite[] = [
  registrySuite,
  bundlesSuite,
  deploymentsSuite,
  configsSuite,
  monitoringSuite,
  contractsSuite,
  modelsSuite,
  streamSuite,
];

import { createStewardApp } from '../lib/steward-app.ts';

// `npx cdk synth|deploy [-c stage=<name>]`: see docs/deploy.md for the context keys.
createStewardApp();

import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StewardStack } from './steward-stack.ts';
import { packageVersion, stageSettings } from './stage-settings.ts';

export interface StewardApp {
  app: App;
  stack: StewardStack;
}

/**
 * The CDK app: one `Steward-<stage>` stack, checked by cdk-nag's AwsSolutions pack on every synth.
 * bin/steward.ts runs it; the tests build it the same way with their own context.
 */
export function createStewardApp(props: AppProps = {}): StewardApp {
  const app = new App(props);
  const settings = stageSettings(app.node);
  const stack = new StewardStack(app, `Steward-${settings.stage}`, {
    settings,
    version: packageVersion(),
    description: `Steward control plane (${settings.stage}): API and model lifecycle registry`,
    tags: { application: 'steward', stage: settings.stage },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

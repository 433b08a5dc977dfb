import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PaymentsStack } from './payments-stack';
import { readStageConfig } from './stage-config';

/** The CDK app: one stack for the stage and target in context, checked by cdk-nag at synth. */
export function createApp(props: AppProps = {}) {
  const app = new App(props);
  const config = readStageConfig(app.node);
  const stack = new PaymentsStack(app, `Payments-${config.stage}`, {
    config,
    description: `Payments platform (${config.stage}, ${config.target})`,
    tags: { project: 'payments-platform', stage: config.stage },
  });
  const nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  return { app, stack, config, nag };
}

import { createApp } from '../lib/app';
import { StageConfigError } from '../lib/stage-config';

// `cdk synth|deploy [-c stage=dev|prod] [-c target=aws|localstack]`: see README "Deploy to AWS".
// A wrong context value is a usage error: one line and status 2, as the other CLIs (scripts/cli.ts).
try {
  createApp().app.synth();
} catch (error) {
  if (!(error instanceof StageConfigError)) throw error;
  process.stderr.write(`cdk: ${error.message} (see README, "Deploy to AWS")\n`);
  process.exit(2);
}

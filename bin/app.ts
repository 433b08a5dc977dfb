import { createApp } from '../lib/app';

// `cdk synth|deploy [-c stage=dev|prod] [-c target=aws|localstack]`: see README "Deploy to AWS".
createApp().app.synth();

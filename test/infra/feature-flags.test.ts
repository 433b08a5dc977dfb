import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_ROOT } from '../../lib/constructs/bundling';
import { CDK_JSON_CONTEXT, resourcesOfType, synthesize } from './support/synth';

// cdk.json sets CDK's recommended feature flags for the installed aws-cdk-lib (what `cdk init` writes),
// and the infra tests synthesize with them, as `cdk synth` does.

/** Flags deliberately left at another value than the recommended one, with the reason (none today). */
const DELIBERATELY_DIFFERENT: Record<string, string> = {};

const recommended = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'node_modules/aws-cdk-lib/recommended-feature-flags.json'), 'utf8'),
) as Record<string, unknown>;

let template: Template;
beforeAll(() => {
  template = synthesize({ stage: 'dev', target: 'aws' }).template;
});

describe('feature flags', () => {
  it('cdk.json sets every flag aws-cdk-lib recommends, at the recommended value', () => {
    const different = Object.keys(recommended).filter(
      (flag) =>
        !(flag in DELIBERATELY_DIFFERENT) &&
        JSON.stringify(CDK_JSON_CONTEXT[flag]) !== JSON.stringify(recommended[flag]),
    );
    expect(different).toEqual([]);
    expect(Object.keys(recommended).length).toBeGreaterThan(50);
  });

  it('the synthesized stack sees them (access log destination without the ":*" of the log group ARN)', () => {
    const [stage] = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Stage'));
    const destination = JSON.stringify(
      (stage!.Properties!.AccessLogSetting as { DestinationArn: unknown }).DestinationArn,
    );
    expect(destination).toContain(':log-group:');
    expect(destination).not.toContain('"Arn"]');
  });
});

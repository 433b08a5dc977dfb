import type { Template } from 'aws-cdk-lib/assertions';
import { names } from '../../lib/names';
import { PROD, resourcesOfType, synthesize } from './support/synth';

// Two stages share an account and region, so no fixed physical name may be the same in both.

/**
 * Name-like properties that are NOT unique in an account and region: scoped to another resource (a
 * policy to its role, a stage to its API, a database inside its instance...) or not a name at all.
 * Every other top-level `*Name` / `*Identifier` property with a literal value counts as a fixed physical name.
 */
const SCOPED_OR_NOT_A_NAME = new Set([
  'AWS::IAM::Policy.PolicyName',
  'AWS::RDS::DBInstance.DBName',
  'AWS::RDS::DBProxyTargetGroup.TargetGroupName',
  'AWS::ApiGateway::Stage.StageName',
  'AWS::ApiGateway::Authorizer.Name',
  'AWS::CloudWatch::Alarm.MetricName',
  'AWS::SNS::Topic.DisplayName',
  'AWS::EC2::VPCEndpoint.ServiceName',
  'AWS::Events::Archive.KmsKeyIdentifier',
]);

/** `Type.Property = value` for every literal fixed physical name in the template. */
function fixedPhysicalNames(template: Template): string[] {
  const out: string[] = [];
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: object }>;
  for (const { Type, Properties } of Object.values(resources)) {
    for (const [key, value] of Object.entries(Properties ?? {})) {
      if (!/(Name|Identifier)$/.test(key) || SCOPED_OR_NOT_A_NAME.has(`${Type}.${key}`)) continue;
      if (typeof value === 'string') out.push(`${Type}.${key} = ${value}`);
    }
  }
  return out.sort();
}

const templates = {} as Record<'dev' | 'prod', Template>;
beforeAll(() => {
  templates.dev = synthesize({ stage: 'dev', target: 'aws' }).template;
  templates.prod = synthesize(PROD).template;
});

describe('fixed physical names', () => {
  it('a dev and a prod stage have none in common', () => {
    const prod = new Set(fixedPhysicalNames(templates.prod));
    const clashes = fixedPhysicalNames(templates.dev).filter((n) => prod.has(n));
    expect(clashes).toEqual([]);
  });

  it.each(['dev', 'prod'] as const)(
    '%s: the proxy, the instance, the dashboard and the alarms carry the stage',
    (stage) => {
      const template = templates[stage];
      const named = fixedPhysicalNames(template);
      expect(named).toEqual(
        expect.arrayContaining([
          `AWS::RDS::DBProxy.DBProxyName = ${names.stageResource(stage)}`,
          `AWS::RDS::DBInstance.DBInstanceIdentifier = ${names.stageResource(stage)}`,
          `AWS::CloudWatch::Dashboard.DashboardName = ${names.stageResource(stage)}`,
        ]),
      );
      for (const alarm of Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties!.AlarmName).toMatch(new RegExp(`^${names.alarm(stage, '')}`));
      }
      // Every fixed name in the template mentions its stage.
      for (const name of named) expect(name).toMatch(new RegExp(`[-/_]${stage}([-/]|$)`));
    },
  );
});

import type { Template } from 'aws-cdk-lib/assertions';
import { asArray, PROD, resourcesOfType, type Statement, synthesize } from './support/synth';

// The VPC: isolated subnets in as many AZs as the stage asks for, synthesized offline.

const templates = {} as Record<'dev' | 'prod' | 'pinned', Template>;
beforeAll(() => {
  templates.dev = synthesize({ stage: 'dev', target: 'aws' }).template;
  templates.prod = synthesize(PROD).template;
  templates.pinned = synthesize({
    stage: 'dev',
    target: 'aws',
    availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c',
  }).template;
});

const subnetAzs = (template: Template) =>
  Object.values(resourcesOfType(template, 'AWS::EC2::Subnet')).map((s) =>
    JSON.stringify(s.Properties!.AvailabilityZone),
  );
const getAz = (i: number) => JSON.stringify({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] });

describe('availability zones', () => {
  it('prod spans 3 AZs: one isolated subnet in each of the region’s first three', () => {
    expect(subnetAzs(templates.prod).sort()).toEqual([getAz(0), getAz(1), getAz(2)]);
    const [subnetGroup] = Object.values(resourcesOfType(templates.prod, 'AWS::RDS::DBSubnetGroup'));
    expect(subnetGroup!.Properties!.SubnetIds).toHaveLength(3);
  });

  it('dev spans 2 AZs', () => {
    expect(subnetAzs(templates.dev).sort()).toEqual([getAz(0), getAz(1)]);
  });

  it('context availabilityZones pins the AZs by name', () => {
    expect(subnetAzs(templates.pinned).sort()).toEqual(
      ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'].map((az) => JSON.stringify(az)),
    );
  });

  it('refuses fewer than 2 AZs', () => {
    expect(() => synthesize({ stage: 'dev', target: 'aws', availabilityZones: 'eu-west-1a' })).toThrow(
      /availabilityZones/,
    );
  });
});

describe('default security group', () => {
  it('is restricted: no rule lets anything in or out of the VPC’s default security group', () => {
    const vpcId = Object.keys(resourcesOfType(templates.dev, 'AWS::EC2::VPC'))[0]!;
    const restrictions = Object.values(resourcesOfType(templates.dev, 'Custom::VpcRestrictDefaultSG'));
    expect(restrictions).toHaveLength(1);
    expect(restrictions[0]!.Properties!.DefaultSecurityGroupId).toEqual({
      'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'],
    });
  });

  it('its provider may change that security group only, and logs with a retention', () => {
    const [restriction] = Object.values(resourcesOfType(templates.dev, 'Custom::VpcRestrictDefaultSG'));
    const handlerId = (restriction!.Properties!.ServiceToken as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const handler = resourcesOfType(templates.dev, 'AWS::Lambda::Function')[handlerId]!;
    const roleId = (handler.Properties!.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const role = resourcesOfType(templates.dev, 'AWS::IAM::Role')[roleId]!;
    const statements = (
      role.Properties!.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>
    ).flatMap((p) => p.PolicyDocument.Statement);
    for (const statement of statements) {
      expect(JSON.stringify(statement.Resource)).toContain('DefaultSecurityGroup');
    }
    const logGroups = Object.entries(resourcesOfType(templates.dev, 'AWS::Logs::LogGroup')).filter(
      ([, g]) =>
        JSON.stringify(g.Properties!.LogGroupName) ===
        JSON.stringify({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: handlerId }]] }),
    );
    expect(logGroups).toHaveLength(1);
    expect(logGroups[0]![1].Properties!.RetentionInDays).toEqual(expect.any(Number));
    // The log group exists before the provider's first (and only) invocations.
    expect(asArray(restriction!.DependsOn as string[] | undefined)).toContain(logGroups[0]![0]);
  });
});

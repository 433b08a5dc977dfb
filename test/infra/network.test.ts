import type { Template } from 'aws-cdk-lib/assertions';
import { resourcesOfType, synthesize } from './support/synth';

// The VPC: isolated subnets in as many AZs as the stage asks for, synthesized offline.

const JWKS_URL = 'https://issuer.example.com/.well-known/jwks.json';
const templates = {} as Record<'dev' | 'prod' | 'pinned', Template>;
beforeAll(() => {
  templates.dev = synthesize({ stage: 'dev', target: 'aws' }).template;
  templates.prod = synthesize({ stage: 'prod', target: 'aws', jwksUrl: JWKS_URL }).template;
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

import type { Template } from 'aws-cdk-lib/assertions';
import { PROD, type Resource, resourcesOfType, synthesize } from './support/synth';

// Every log group is the stack's own, with a retention: none is left for a service to create unbounded.

const templates = {} as Record<'dev' | 'prod', Template>;
beforeAll(() => {
  templates.dev = synthesize({ stage: 'dev', target: 'aws' }).template;
  templates.prod = synthesize(PROD).template;
});

const expected = {
  dev: { retentionDays: 14, deletionPolicy: 'Delete' },
  prod: { retentionDays: 90, deletionPolicy: 'Retain' },
};

describe.each(['dev', 'prod'] as const)('%s stage', (stage) => {
  const template = () => templates[stage];

  it('creates API Gateway’s execution log group, with a retention, before the stage writes to it', () => {
    const apiId = Object.keys(resourcesOfType(template(), 'AWS::ApiGateway::RestApi'))[0]!;
    const name = { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: apiId }, `/${stage}`]] };
    const groups = Object.entries(
      template().toJSON().Resources as Record<string, Resource & { DeletionPolicy?: string }>,
    ).filter(
      ([, r]) =>
        r.Type === 'AWS::Logs::LogGroup' &&
        JSON.stringify(r.Properties!.LogGroupName) === JSON.stringify(name),
    );
    expect(groups).toHaveLength(1);
    const [groupId, group] = groups[0]!;
    expect(group.Properties!.RetentionInDays).toBe(expected[stage].retentionDays);
    expect(group.DeletionPolicy).toBe(expected[stage].deletionPolicy);
    const [stageResource] = Object.values(resourcesOfType(template(), 'AWS::ApiGateway::Stage'));
    expect(stageResource!.DependsOn).toEqual(expect.arrayContaining([groupId]));
  });

  it('gives every log group a retention', () => {
    for (const [id, group] of Object.entries(resourcesOfType(template(), 'AWS::Logs::LogGroup'))) {
      expect({ id, retention: group.Properties!.RetentionInDays }).toEqual({
        id,
        retention: expect.any(Number),
      });
    }
  });
});

import type { Template } from 'aws-cdk-lib/assertions';
import { names } from '../../lib/names';
import { asArray, type Resource, resourcesOfType, synthesize } from './support/synth';

// The alarm topic, the alarms and the dashboard (docs/RUNBOOK.md lists every alarm).

let template: Template;
beforeAll(() => {
  template = synthesize({ stage: 'dev', target: 'aws' }).template;
});

type PolicyStatement = {
  Effect: string;
  Action: string | string[];
  Principal?: Record<string, unknown>;
  Condition?: Record<string, Record<string, unknown>>;
};

function topicStatements(): { topicId: string; statements: PolicyStatement[] } {
  const [topicId] = Object.keys(resourcesOfType(template, 'AWS::SNS::Topic'));
  const policies = Object.values(resourcesOfType(template, 'AWS::SNS::TopicPolicy')).filter(
    (p: Resource) => JSON.stringify(p.Properties!.Topics) === JSON.stringify([{ Ref: topicId }]),
  );
  expect(policies).toHaveLength(1);
  const document = policies[0]!.Properties!.PolicyDocument as { Statement: PolicyStatement[] };
  return { topicId: topicId!, statements: document.Statement };
}

describe('alarm topic', () => {
  it('lets CloudWatch alarms of this account (and stage) publish, and nothing else from outside', () => {
    const { statements } = topicStatements();
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    const [allow] = allows;
    expect(allow!.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    expect(asArray(allow!.Action)).toEqual(['sns:Publish']);
    expect(allow!.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    const sourceArn = JSON.stringify(allow!.Condition?.ArnLike?.['aws:SourceArn']);
    expect(sourceArn).toContain(':cloudwatch:');
    expect(sourceArn).toContain(`:alarm:${names.alarm('dev', '*')}`);
  });

  it('still refuses publishing without TLS', () => {
    const { statements } = topicStatements();
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]),
    );
  });

  it('every alarm notifies the topic and is named so the topic policy admits it', () => {
    const { topicId } = topicStatements();
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties!.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties!.AlarmName).toMatch(new RegExp(`^${names.alarm('dev', '')}`));
    }
  });
});

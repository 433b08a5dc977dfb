import type { Template } from 'aws-cdk-lib/assertions';
import { HEALTH_METRICS, names } from '../../lib/names';
import { topology } from '../../lib/topology';
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

/** Every dead-letter queue: the work queues' (their RedrivePolicy) and the EventBridge targets'. */
function deadLetterQueueIds(): string[] {
  const queues = Object.values(resourcesOfType(template, 'AWS::SQS::Queue'));
  const ofQueues = queues
    .map(
      (q) => q.Properties!.RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt': [string] } } | undefined,
    )
    .flatMap((r) => (r?.deadLetterTargetArn ? [r.deadLetterTargetArn['Fn::GetAtt'][0]] : []));
  const ofTargets = Object.values(resourcesOfType(template, 'AWS::Events::Rule'))
    .flatMap(
      (r) => r.Properties!.Targets as Array<{ DeadLetterConfig?: { Arn: { 'Fn::GetAtt': [string] } } }>,
    )
    .flatMap((t) => (t.DeadLetterConfig ? [t.DeadLetterConfig.Arn['Fn::GetAtt'][0]] : []));
  return [...ofQueues, ...ofTargets];
}

type MetricDataQuery = {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] } };
};

describe('dead-letter alarms', () => {
  it('every DLQ has an alarm for each new dead letter (not only "holds messages"), without OK notifications', () => {
    const dlqs = deadLetterQueueIds();
    // One per queue, per rule target and per schedule target.
    const { queues, rules, schedules } = topology;
    expect(dlqs.length).toBe([queues, rules, schedules].reduce((n, o) => n + Object.keys(o).length, 0));
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
    for (const dlq of dlqs) {
      const onDlq = (q: MetricDataQuery) =>
        JSON.stringify(q.MetricStat?.Metric.Dimensions) ===
        JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }]);
      const newMessageAlarms = alarms.filter((a) => {
        const queries = (a.Properties!.Metrics as MetricDataQuery[] | undefined) ?? [];
        const metrics = queries.filter(onDlq).map((q) => q.MetricStat!.Metric.MetricName);
        return (
          metrics.includes('ApproximateNumberOfMessagesVisible') &&
          metrics.includes('ApproximateNumberOfMessagesNotVisible') &&
          queries.some((q) => q.ReturnData !== false && q.Expression?.startsWith('DIFF('))
        );
      });
      expect({ dlq, count: newMessageAlarms.length }).toEqual({ dlq, count: 1 });
      const alarm = newMessageAlarms[0]!.Properties!;
      expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(alarm.OKActions).toBeUndefined();
      expect(alarm.AlarmName).toMatch(/-new$/);

      const holds = alarms.filter(
        (a) =>
          a.Properties!.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Properties!.Dimensions) ===
            JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }]),
      );
      expect({ dlq, holds: holds.length }).toEqual({ dlq, holds: 1 });
    }
  });
});

describe('database alarms', () => {
  const alarmNamed = (name: string) => {
    const found = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties!.AlarmName === names.alarm('dev', name),
    );
    expect({ name, count: found.length }).toEqual({ name, count: 1 });
    return found[0]!.Properties!;
  };
  const instanceId = () => Object.keys(resourcesOfType(template, 'AWS::RDS::DBInstance'))[0]!;
  const proxyId = () => Object.keys(resourcesOfType(template, 'AWS::RDS::DBProxy'))[0]!;
  const metricsOf = (alarm: Record<string, unknown>) =>
    ((alarm.Metrics as MetricDataQuery[] | undefined) ?? []).flatMap((q) =>
      q.MetricStat
        ? [{ name: q.MetricStat.Metric.MetricName, dimensions: q.MetricStat.Metric.Dimensions }]
        : [],
    );

  it.each([
    ['database-cpu', 'CPUUtilization', 'GreaterThanOrEqualToThreshold'],
    ['database-free-storage', 'FreeStorageSpace', 'LessThanThreshold'],
    ['database-freeable-memory', 'FreeableMemory', 'LessThanThreshold'],
  ])('%s watches the instance’s %s', (name, metric, comparison) => {
    const alarm = alarmNamed(name);
    expect(alarm).toMatchObject({ MetricName: metric, Namespace: 'AWS/RDS', ComparisonOperator: comparison });
    expect(alarm.Dimensions).toEqual([{ Name: 'DBInstanceIdentifier', Value: { Ref: instanceId() } }]);
    expect(alarm.AlarmActions).toHaveLength(1);
  });

  it('database-proxy-connections compares the proxy’s database connections with its limit', () => {
    const alarm = alarmNamed('database-proxy-connections');
    const proxy = [{ Name: 'ProxyName', Value: { Ref: proxyId() } }];
    expect(metricsOf(alarm)).toEqual(
      expect.arrayContaining([
        { name: 'DatabaseConnections', dimensions: proxy },
        { name: 'MaxDatabaseConnectionsAllowed', dimensions: proxy },
      ]),
    );
    expect(alarm.AlarmActions).toHaveLength(1);
  });

  it('database-proxy-connection-errors counts failed client and database connection setups', () => {
    const alarm = alarmNamed('database-proxy-connection-errors');
    expect(
      metricsOf(alarm)
        .map((m) => m.name)
        .sort(),
    ).toEqual(['ClientConnectionsSetupFailedAuth', 'DatabaseConnectionsSetupFailed']);
  });

  it('the dashboard draws the database and the proxy', () => {
    const [dashboard] = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties!.DashboardBody);
    for (const metric of [
      'CPUUtilization',
      'FreeStorageSpace',
      'FreeableMemory',
      'MaxDatabaseConnectionsAllowed',
    ]) {
      expect(body).toContain(metric);
    }
  });
});

describe('risk screening operations', () => {
  it('the risk queue gets its DLQ, new-dead-letter and oldest-message alarms, and the risk worker its own', () => {
    const alarmNames = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties!.AlarmName,
    );
    for (const name of ['risk-dlq', 'risk-dlq-new', 'risk-oldest-message', 'riskWorker-errors']) {
      expect(alarmNames).toContain(names.alarm('dev', name));
    }
  });

  it('the dashboard draws the risk queue and the risk metrics', () => {
    const [dashboard] = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties!.DashboardBody);
    for (const metric of ['RiskAssessed', 'RiskBlocked', 'RiskLevelElevated', 'RiskLevelHighest']) {
      expect(body).toContain(`MetricName=\\\\\\"${metric}\\\\\\"`);
    }
    expect(body).toMatch(/risk/);
  });
});

describe('outbox and retention alarms', () => {
  const alarmNamed = (name: string) =>
    Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).find(
      (a: Resource) => a.Properties!.AlarmName === names.alarm('dev', name),
    )?.Properties;

  it('fires when the oldest unpublished outbox row is over 5 minutes old, or the relay reports nothing', () => {
    expect(alarmNamed('outbox-oldest-unpublished')).toMatchObject({
      Namespace: 'Payments',
      MetricName: HEALTH_METRICS.outboxOldestUnpublishedSeconds,
      Dimensions: [{ Name: 'service', Value: names.service('outboxRelay') }],
      Statistic: 'Maximum',
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('fires when a retention run fails', () => {
    expect(alarmNamed('retention-errors')).toMatchObject({ MetricName: 'Errors', Threshold: 1 });
  });
});

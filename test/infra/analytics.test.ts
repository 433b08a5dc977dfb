import type { Template } from 'aws-cdk-lib/assertions';
import { EXPORT_TABLES } from '../../lambdas/shared/domain/analytics';
import { HEALTH_METRICS, names, STACK_OUTPUTS } from '../../lib/names';
import {
  asArray,
  environmentOf,
  functionIdOf,
  identityStatements,
  type Resource,
  resourcesOfType,
  synthesize,
} from './support/synth';

// The analytics exports in AWS (docs/architecture.md, "Analytics"): the bucket, the Glue tables Athena reads
// with partition projection, the hourly schedule, the function's one grant, the alarms.

const templates = {} as Record<'aws' | 'localstack', Template>;
beforeAll(() => {
  templates.aws = synthesize({ stage: 'dev', target: 'aws' }).template;
  templates.localstack = synthesize({ stage: 'dev', target: 'localstack' }).template;
});

const exportsBucket = (template: Template) => {
  const buckets = Object.entries(resourcesOfType(template, 'AWS::S3::Bucket')).filter(
    ([, b]) => b.Properties!.VersioningConfiguration !== undefined,
  );
  expect(buckets).toHaveLength(1);
  return buckets[0]!;
};

describe('analytics exports bucket', () => {
  it.each(['aws', 'localstack'] as const)(
    '%s: encrypted, versioned, private, logged, with a lifecycle',
    (target) => {
      const [, bucket] = exportsBucket(templates[target]);
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: expect.objectContaining({ DestinationBucketName: expect.anything() }),
      });
      const rules = (bucket.Properties!.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
      expect(rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        ]),
      );
    },
  );

  it('refuses requests without TLS', () => {
    const [id] = exportsBucket(templates.aws);
    const policy = Object.values(resourcesOfType(templates.aws, 'AWS::S3::BucketPolicy')).find(
      (p: Resource) => JSON.stringify(p.Properties!.Bucket) === JSON.stringify({ Ref: id }),
    );
    const statements = (policy!.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('the analytics function may only put objects under the exported tables, and is told the bucket', () => {
    const [id] = exportsBucket(templates.aws);
    const s3Statements = identityStatements(templates.aws).filter(({ statement }) =>
      JSON.stringify(statement.Resource ?? '').includes(id),
    );
    expect(s3Statements.map(({ statement }) => asArray(statement.Action))).toEqual([['s3:PutObject']]);
    expect(JSON.stringify(s3Statements[0]!.statement.Resource)).toContain('/payment_facts/*');
    const fn = resourcesOfType(templates.aws, 'AWS::Lambda::Function')[
      functionIdOf(templates.aws, 'analytics')
    ]!;
    expect(environmentOf(fn).ANALYTICS_BUCKET_NAME).toEqual({ Ref: id });
    expect(templates.aws.findOutputs(STACK_OUTPUTS.analyticsBucketName)).not.toEqual({});
  });
});

describe('Glue tables for Athena', () => {
  const tables = () => Object.values(resourcesOfType(templates.aws, 'AWS::Glue::Table'));

  it('one per exported table, in the stage database, columns as the Parquet writer writes them', () => {
    expect(resourcesOfType(templates.aws, 'AWS::Glue::Database')).not.toEqual({});
    expect(
      tables()
        .map((t) => (t.Properties!.TableInput as { Name: string }).Name)
        .sort(),
    ).toEqual(Object.keys(EXPORT_TABLES).sort());
    for (const table of tables()) {
      const input = table.Properties!.TableInput as {
        Name: keyof typeof EXPORT_TABLES;
        StorageDescriptor: {
          Columns: { Name: string; Type: string }[];
          SerdeInfo: { SerializationLibrary: string };
        };
      };
      expect(table.Properties!.DatabaseName).toBe(names.glueDatabase('dev'));
      expect(input.StorageDescriptor.Columns).toEqual(
        EXPORT_TABLES[input.Name].map((c) => ({ Name: c.name, Type: c.type })),
      );
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toContain('ParquetHiveSerDe');
    }
  });

  it('project the dt partitions, so no crawler or MSCK REPAIR is needed', () => {
    for (const table of tables()) {
      const input = table.Properties!.TableInput as {
        Name: string;
        PartitionKeys: unknown;
        Parameters: Record<string, unknown>;
      };
      expect(input.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
      expect(input.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
      });
      expect(JSON.stringify(input.Parameters['storage.location.template'])).toContain(
        `/${input.Name}/dt=\${dt}/`,
      );
    }
    expect(resourcesOfType(templates.aws, 'AWS::Glue::Crawler')).toEqual({});
  });

  it('an Athena workgroup keeps its results encrypted in the bucket', () => {
    const [workGroup] = Object.values(resourcesOfType(templates.aws, 'AWS::Athena::WorkGroup'));
    expect(workGroup!.Properties).toMatchObject({
      Name: names.inStage('dev', 'analytics'),
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
      },
    });
  });

  it('LocalStack (no Glue or Athena in its free edition) gets the bucket alone', () => {
    expect(resourcesOfType(templates.localstack, 'AWS::Glue::Table')).toEqual({});
    expect(resourcesOfType(templates.localstack, 'AWS::Athena::WorkGroup')).toEqual({});
  });
});

describe('analytics schedule and alarms', () => {
  it('runs the analytics function every hour', () => {
    const fnId = functionIdOf(templates.aws, 'analytics');
    const rules = Object.values(resourcesOfType(templates.aws, 'AWS::Events::Rule')).filter((r: Resource) =>
      JSON.stringify(r.Properties!.Targets).includes(fnId),
    );
    expect(rules.map((r) => r.Properties!.ScheduleExpression)).toEqual(['rate(1 hour)']);
  });

  it('alarms on errors and on no successful run in 2 hours (no data breaches)', () => {
    const alarms = Object.values(resourcesOfType(templates.aws, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties!,
    );
    expect(alarms.find((a) => a.AlarmName === names.alarm('dev', 'analytics-errors'))).toMatchObject({
      MetricName: 'Errors',
    });
    expect(
      alarms.find((a) => a.AlarmName === names.alarm('dev', 'analytics-no-successful-run')),
    ).toMatchObject({
      MetricName: HEALTH_METRICS.analyticsRunSucceeded,
      Dimensions: [{ Name: 'service', Value: 'analytics' }],
      Period: 3600,
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('draws the runs on the dashboard', () => {
    const [dashboard] = Object.values(resourcesOfType(templates.aws, 'AWS::CloudWatch::Dashboard'));
    expect(JSON.stringify(dashboard!.Properties!.DashboardBody)).toContain(
      HEALTH_METRICS.analyticsRunSucceeded,
    );
  });
});

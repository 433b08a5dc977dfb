import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  EXPORT_PARTITION,
  EXPORT_TABLES,
  type ExportColumnType,
} from '../../lambdas/shared/domain/analytics';
import { names } from '../names';
import type { StageConfig } from '../stage-config';
import type { PlatformFunction } from './platform-function';

/** The Glue (Hive) type of each export column type. */
const GLUE_TYPES: Record<ExportColumnType, string> = {
  string: 'string',
  int: 'int',
  bigint: 'bigint',
  double: 'double',
  timestamp: 'timestamp',
};

/** Partition projection's first day: Athena enumerates dt from here to today (no crawler, no MSCK REPAIR). */
const FIRST_EXPORT_DAY = '2026-01-01';
const ATHENA_RESULTS_PREFIX = 'athena-results/';

/**
 * Where the analytics function's Parquet exports live (docs/architecture.md, "Analytics"): an encrypted,
 * versioned, TLS-only bucket with public access blocked and access logs, a Glue database with one table per
 * exported table (partition projection on dt, so Athena needs no crawler) and an Athena workgroup that keeps
 * its results in the bucket. Both buckets are retained when the stack goes: they hold the only copy of the
 * exports' history. LocalStack's free edition has no Glue or Athena: that target gets the bucket alone.
 */
export class AnalyticsExports extends Construct {
  readonly bucket: s3.Bucket;
  readonly database?: glue.CfnDatabase;
  readonly tables: glue.CfnTable[] = [];
  readonly workGroup?: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'exports/',
      lifecycleRules: [
        // A day is rewritten whenever its payments change: keep the replaced versions a month.
        {
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { prefix: ATHENA_RESULTS_PREFIX, expiration: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (config.target !== 'aws') return;

    const account = Stack.of(this).account;
    const databaseName = names.glueDatabase(config.stage);
    this.database = new glue.CfnDatabase(this, 'GlueDatabase', {
      catalogId: account,
      databaseInput: {
        name: databaseName,
        description: 'Payments analytics exports (Parquet, dt= partitions)',
      },
    });
    for (const [table, columns] of Object.entries(EXPORT_TABLES)) {
      const location = `s3://${this.bucket.bucketName}/${table}/`;
      const glueTable = new glue.CfnTable(this, `GlueTable-${table}`, {
        catalogId: account,
        databaseName,
        tableInput: {
          name: table,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            classification: 'parquet',
            'projection.enabled': 'true',
            [`projection.${EXPORT_PARTITION}.type`]: 'date',
            [`projection.${EXPORT_PARTITION}.format`]: 'yyyy-MM-dd',
            [`projection.${EXPORT_PARTITION}.range`]: `${FIRST_EXPORT_DAY},NOW`,
            [`projection.${EXPORT_PARTITION}.interval`]: '1',
            [`projection.${EXPORT_PARTITION}.interval.unit`]: 'DAYS',
            'storage.location.template': `${location}${EXPORT_PARTITION}=\${${EXPORT_PARTITION}}/`,
          },
          partitionKeys: [{ name: EXPORT_PARTITION, type: 'string' }],
          storageDescriptor: {
            location,
            columns: columns.map((c) => ({ name: c.name, type: GLUE_TYPES[c.type] })),
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: {
              serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            },
          },
        },
      });
      glueTable.node.addDependency(this.database);
      this.tables.push(glueTable);
    }
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: names.inStage(config.stage, 'analytics'),
      description: 'Queries over the analytics exports; results kept 7 days in the exports bucket',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }

  /** The function that writes the exports: its variable and a grant to put objects, nothing else. */
  grantWrite(fn: PlatformFunction): void {
    const prefixes = Object.keys(EXPORT_TABLES).map((table) => `${table}/*`);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AnalyticsExportsPut',
        actions: ['s3:PutObject'],
        resources: prefixes.map((prefix) => this.bucket.arnForObjects(prefix)),
      }),
    );
    const bucketId = Stack.of(this).resolve((this.bucket.node.defaultChild as s3.CfnBucket).logicalId);
    for (const prefix of prefixes) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}]`,
        reason:
          'PutObject only, under one exported table: its keys are one per day (dt=YYYY-MM-DD/), known only when written.',
      });
    }
    fn.addEnvironment({ ANALYTICS_BUCKET_NAME: this.bucket.bucketName });
  }
}

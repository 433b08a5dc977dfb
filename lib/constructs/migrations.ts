import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnElement, CustomResource, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from './bundling';
import type { PlatformFunction } from './platform-function';

export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'migrations');

/** Changes whenever a migration file is added, renamed or edited, so the custom resource re-runs. */
export function migrationsHash(dir = MIGRATIONS_DIR): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(dir, name)))
      .update('\0');
  }
  return hash.digest('hex');
}

/** Copies migrations/ beside the migrator's bundle (it reads them from there). */
export const copyMigrationsHook = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir: string, outputDir: string) => [
    `cp -r "${inputDir}/migrations" "${outputDir}/migrations"`,
  ],
};

/**
 * Applies migrations on every deploy that changes them: a CloudFormation custom resource whose
 * provider calls the migrator function (advisory lock, each file once).
 */
export class SchemaMigrations extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: { migrator: PlatformFunction }) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'ProviderLogs', {
      retention: logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role, so the provider carries no AWS managed policy: logs to its group, invoke the migrator.
    const role = new iam.Role(this, 'ProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custom resource provider that runs schema migrations',
    });
    logGroup.grantWrite(role);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: props.migrator.function,
      logGroup,
      frameworkOnEventRole: role,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SchemaMigrations',
      properties: { MigrationsHash: migrationsHash() },
    });

    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdRef(props.migrator)}.Arn>:*]`,
      reason:
        'grantInvoke also covers the migrator\'s versions and aliases (ARN suffix ":*"); it is one function.',
    });
  }
}

function logicalIdRef(fn: PlatformFunction): string {
  return Stack.of(fn).getLogicalId(fn.function.node.defaultChild as CfnElement);
}

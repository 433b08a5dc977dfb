import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { AnalyticsExports } from './constructs/analytics-exports';
import { Database } from './constructs/database';
import { copyDocsAssetsHook } from './constructs/docs-assets';
import { EventBus } from './constructs/event-bus';
import { JwtKeys } from './constructs/jwt-keys';
import { copyMigrationsHook, SchemaMigrations } from './constructs/migrations';
import { Network } from './constructs/network';
import { Observability } from './constructs/observability';
import { PaymentsApi } from './constructs/payments-api';
import { PlatformFunction } from './constructs/platform-function';
import { FunctionSchedule } from './constructs/schedule';
import { WorkQueue } from './constructs/work-queue';
import { names, STACK_OUTPUTS } from './names';
import type { StageConfig } from './stage-config';
import { type FunctionName, type QueueName, topology } from './topology';

export interface PaymentsStackProps extends StackProps {
  config: StageConfig;
}

/** Composes the platform from lib/topology.ts; each construct owns its resources and grants. */
export class PaymentsStack extends Stack {
  readonly functions: Record<FunctionName, PlatformFunction>;
  readonly queues: Record<QueueName, WorkQueue>;
  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, props: PaymentsStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const network = config.target === 'aws' ? new Network(this, 'Network', { config }) : undefined;
    const database = new Database(this, 'Database', { config, network });
    const eventBus = new EventBus(this, 'Events', { config, name: topology.bus.name });
    const jwtKeys = new JwtKeys(this, 'JwtKeys', { config });

    this.functions = Object.fromEntries(
      Object.entries(topology.functions).map(([name, spec]) => {
        const fn = new PlatformFunction(this, `Fn-${name}`, {
          name,
          spec,
          config,
          network:
            network && spec.usesDatabase
              ? {
                  vpc: network.vpc,
                  subnets: network.subnets,
                  // The migrator holds the master secret and reaches the instance itself, not the proxy.
                  securityGroup:
                    name === topology.migrator && database.ownerSecurityGroup
                      ? database.ownerSecurityGroup
                      : network.functionsSecurityGroup,
                }
              : undefined,
          bundling:
            name === topology.migrator
              ? { commandHooks: copyMigrationsHook }
              : name === 'api'
                ? { commandHooks: copyDocsAssetsHook }
                : undefined,
        });
        if (spec.usesDatabase) database.connect(fn, name);
        if (spec.publishesEvents) eventBus.grantPublish(fn);
        return [name, fn];
      }),
    ) as Record<FunctionName, PlatformFunction>;
    jwtKeys.configure(this.functions[topology.authorizer]);
    const analyticsExports = new AnalyticsExports(this, 'AnalyticsExports', { config });
    analyticsExports.grantWrite(this.functions.analytics);

    // Nothing runs platform code before the schema it needs exists: every function but the migrator (and
    // with it its event source mappings and permissions), the schedules and the API wait for the migrations.
    const migrations = new SchemaMigrations(this, 'Migrations', {
      migrator: this.functions[topology.migrator],
    });
    if (database.proxy) migrations.node.addDependency(database.proxy);
    for (const [name, fn] of Object.entries(this.functions)) {
      if (name !== topology.migrator) fn.function.node.addDependency(migrations.resource);
    }

    this.queues = Object.fromEntries(
      Object.entries(topology.queues).map(([name, spec]) => {
        const queue = new WorkQueue(this, `Queue-${name}`, { spec });
        queue.consumeWith(this.functions[spec.consumer], topology.functions[spec.consumer]);
        return [name, queue];
      }),
    ) as Record<QueueName, WorkQueue>;
    for (const [name, rule] of Object.entries(topology.rules)) {
      eventBus.route(name, rule, this.queues[rule.queue]);
    }
    for (const [name, spec] of Object.entries(topology.schedules)) {
      const schedule = new FunctionSchedule(this, `Schedule-${name}`, {
        name,
        spec,
        target: this.functions[spec.function],
        bus: eventBus,
      });
      schedule.rule.node.addDependency(migrations.resource);
    }

    const api = new PaymentsApi(this, 'Api', {
      config,
      routes: topology.routes,
      functions: this.functions,
      authorizer: this.functions[topology.authorizer],
    });
    api.api.node.addDependency(migrations.resource);

    const observability = new Observability(this, 'Observability', {
      config,
      api: api.api,
      functions: this.functions,
      queues: this.queues,
      targetDeadLetterQueues: eventBus.targetDeadLetterQueues,
      database,
    });

    // Output keys come from lib/names.ts, where the ops CLI and the tests read them too.
    const output = (key: string, value: string, description?: string) =>
      new CfnOutput(this, key, { value, description });
    output(
      STACK_OUTPUTS.apiUrl,
      config.target === 'localstack' ? localStackApiUrl(api.api) : api.api.url,
      'Base URL of the REST API stage',
    );
    output(STACK_OUTPUTS.eventBusName, eventBus.bus.eventBusName);
    output(STACK_OUTPUTS.alarmTopicArn, observability.topic.topicArn);
    output(STACK_OUTPUTS.dashboardName, observability.dashboard.dashboardName);
    if (jwtKeys.secret) output(STACK_OUTPUTS.jwtSecretArn, jwtKeys.secret.secretArn);
    // Read by the ops CLI (scripts/ops): DLQs, redrive destinations and the rule-target DLQs it replays from.
    for (const [name, queue] of Object.entries(this.queues)) {
      output(STACK_OUTPUTS.deadLetterQueueUrl(name), queue.deadLetterQueue.queueUrl);
      output(STACK_OUTPUTS.queueUrl(name), queue.queue.queueUrl);
    }
    for (const [name, queue] of Object.entries(eventBus.targetDeadLetterQueues)) {
      output(STACK_OUTPUTS.targetDeadLetterQueueUrl(name), queue.queueUrl);
    }
    output(STACK_OUTPUTS.analyticsBucketName, analyticsExports.bucket.bucketName);
    if (analyticsExports.database)
      output(STACK_OUTPUTS.analyticsGlueDatabase, names.glueDatabase(config.stage));
    if (analyticsExports.workGroup)
      output(STACK_OUTPUTS.analyticsAthenaWorkGroup, analyticsExports.workGroup.ref);
    // The master secret's ARN (no value), for break-glass on the instance itself; an operator's session signs
    // in to the proxy with IAM as a role (docs/RUNBOOK.md).
    output(STACK_OUTPUTS.databaseSecretArn, database.secret.secretArn);
    if (database.proxy) output(STACK_OUTPUTS.databaseProxyEndpoint, database.proxy.endpoint);
    if (network) {
      output(STACK_OUTPUTS.databaseClientSecurityGroupId, network.functionsSecurityGroup.securityGroupId);
    }
  }

  /**
   * The stack is environment-agnostic (one template for any account and region, synthesized offline), and
   * for such a stack CDK offers only the region's first 2 AZs. This gives the stage's count instead,
   * still resolved at deploy time (`Fn::GetAZs`), or the AZs context `availabilityZones` names.
   */
  override get availabilityZones(): string[] {
    const { count, names } = this.config.availabilityZones;
    if (names) return names;
    return Array.from({ length: count }, (_, i) => Fn.select(i, Fn.getAzs()));
  }
}

/** LocalStack's edge port, as localstack.yml publishes it. */
const LOCALSTACK_ENDPOINT = 'http://localhost:4566';

/**
 * Where LocalStack serves a REST API stage: its documented path form, which needs no DNS (the
 * `<id>.execute-api.localhost.localstack.cloud` host form needs a resolver that returns 127.0.0.1).
 */
function localStackApiUrl(api: RestApi): string {
  return `${LOCALSTACK_ENDPOINT}/restapis/${api.restApiId}/${api.deploymentStage.stageName}/_user_request_/`;
}

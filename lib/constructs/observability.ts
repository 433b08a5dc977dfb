import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HEALTH_METRICS, METRICS, METRICS_NAMESPACE, names } from '../names';
import type { StageConfig } from '../stage-config';
import type { Database } from './database';
import type { PlatformFunction } from './platform-function';
import type { WorkQueue } from './work-queue';

/** A message this old means the consumer is stuck or far behind. */
const OLDEST_MESSAGE_ALARM_SECONDS = 600;
/** The relay publishes within tens of ms; five minutes means the bus refuses or no relay runs. */
const OLDEST_UNPUBLISHED_ALARM_SECONDS = 300;
const API_P99_LATENCY_ALARM_MS = 2000;
const DATABASE_CPU_ALARM_PERCENT = 80;
/** Below storage autoscaling's own trigger (10% of 20 GB free): it did not keep up, or is at its maximum. */
const DATABASE_FREE_STORAGE_ALARM_BYTES = 1024 ** 3;
const DATABASE_FREEABLE_MEMORY_ALARM_FRACTION = 0.1;
const PROXY_CONNECTIONS_ALARM_PERCENT = 90;
const PROXY_CONNECTION_ERRORS_ALARM = 5;

export interface ObservabilityProps {
  config: StageConfig;
  api: apigw.RestApi;
  functions: Record<string, PlatformFunction>;
  queues: Record<string, WorkQueue>;
  targetDeadLetterQueues: Record<string, sqs.IQueue>;
  /** RDS and RDS Proxy, when the target has them (AWS). */
  database?: Database;
}

/** Every alarm of the platform, all to one SNS topic, and one dashboard with its health on a page. */
export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly stageName: string;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.stageName = props.config.stage;
    this.topic = new sns.Topic(this, 'Alarms', { displayName: 'Payments platform alarms', enforceSSL: true });
    // A topic policy replaces SNS's default one, so CloudWatch needs an explicit grant: this stage's
    // alarms in this account only (the confused-deputy conditions AWS documents for alarm actions).
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: names.alarm(this.stageName, '*'),
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.config.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.config.alarmEmail));
    }

    for (const [name, queue] of Object.entries(props.queues)) {
      this.deadLetterAlarm(`${name}-dlq`, queue.deadLetterQueue);
      this.alarm(`${name}-oldest-message`, {
        metric: queue.queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: OLDEST_MESSAGE_ALARM_SECONDS,
        evaluationPeriods: 3,
        description: `Oldest message on the ${name} queue is older than ${OLDEST_MESSAGE_ALARM_SECONDS}s: its consumer is stuck or behind.`,
      });
    }
    for (const [name, queue] of Object.entries(props.targetDeadLetterQueues)) {
      this.deadLetterAlarm(`${name}-target-dlq`, queue);
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      // The authorizer answers every bad token by throwing 'Unauthorized', which Lambda counts as an error.
      const threshold = name === 'authorizer' ? 50 : 1;
      this.alarm(`${name}-errors`, {
        metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold,
        evaluationPeriods: 1,
        description: `${name}: ${threshold} or more errors in 5 minutes.`,
      });
      this.alarm(`${name}-throttles`, {
        metric: fn.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        description: `${name}: invocations throttled.`,
      });
    }
    // The always-on relay reports every 15 s; no report at all means no relay runs, which breaches too.
    this.alarm('outbox-oldest-unpublished', {
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: HEALTH_METRICS.outboxOldestUnpublishedSeconds,
        dimensionsMap: { service: names.service('outboxRelay') },
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: OLDEST_UNPUBLISHED_ALARM_SECONDS,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      missingData: cloudwatch.TreatMissingData.BREACHING,
      description: `The oldest unpublished outbox row is older than ${OLDEST_UNPUBLISHED_ALARM_SECONDS}s, or the outbox relay reported nothing for a minute: events are not leaving.`,
    });
    // One AnalyticsRunSucceeded per successful hourly run; none in 2 hours (also no data) means it fails or never runs.
    const analyticsRuns = this.healthMetric(
      HEALTH_METRICS.analyticsRunSucceeded,
      'analytics',
      Duration.hours(1),
    );
    this.alarm('analytics-no-successful-run', {
      metric: analyticsRuns,
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      missingData: cloudwatch.TreatMissingData.BREACHING,
      description:
        'No successful analytics run in 2 hours: facts, daily stats and the Parquet exports are going stale (docs/RUNBOOK.md, "Analytics").',
    });
    this.alarm('api-5xx', {
      metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 5,
      evaluationPeriods: 1,
      description: 'API: 5 or more 5xx answers in 5 minutes.',
    });
    this.alarm('api-p99-latency', {
      metric: props.api.metricLatency({ period: Duration.minutes(5), statistic: 'p99' }),
      threshold: API_P99_LATENCY_ALARM_MS,
      evaluationPeriods: 2,
      description: `API: p99 latency above ${API_P99_LATENCY_ALARM_MS} ms for 10 minutes.`,
    });

    const databaseMetrics = props.database ? this.databaseAlarms(props.database) : undefined;

    this.dashboard = this.createDashboard(props);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Analytics: successful runs and payments processed (per hour)',
        width: 12,
        left: [analyticsRuns.with({ label: 'successful runs' })],
        right: [
          this.healthMetric(HEALTH_METRICS.analyticsPaymentsProcessed, 'analytics', Duration.hours(1)).with({
            label: 'payments processed',
          }),
        ],
      }),
    );
    if (databaseMetrics) this.dashboard.addWidgets(...databaseMetrics);
  }

  /** CPU, storage and memory of the instance; connections against the proxy's limit and failed setups. */
  private databaseAlarms(database: Database): cloudwatch.IWidget[] {
    const { instance, proxy, instanceMemoryBytes } = database;
    if (!instance || !proxy || !instanceMemoryBytes) return [];
    const fiveMinutes = Duration.minutes(5);
    const cpu = instance.metricCPUUtilization({ period: fiveMinutes, statistic: 'Average' });
    const freeStorage = instance.metricFreeStorageSpace({ period: fiveMinutes, statistic: 'Minimum' });
    const freeableMemory = instance.metricFreeableMemory({ period: fiveMinutes, statistic: 'Minimum' });
    const proxyMetric = (metricName: string, period: Duration) =>
      new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { ProxyName: proxy.dbProxyName },
        // RDS Proxy reports per proxy node: Sum is the proxy's total (AWS's advice for these metrics).
        statistic: 'Sum',
        period,
      });
    const oneMinute = Duration.minutes(1);
    const connectionsUsed = new cloudwatch.MathExpression({
      expression: '100 * connections / allowed',
      usingMetrics: {
        connections: proxyMetric('DatabaseConnections', oneMinute),
        allowed: proxyMetric('MaxDatabaseConnectionsAllowed', oneMinute),
      },
      label: 'Proxy database connections (% of allowed)',
      period: oneMinute,
    });
    const connectionErrors = new cloudwatch.MathExpression({
      expression: 'FILL(client, 0) + FILL(database, 0)',
      usingMetrics: {
        client: proxyMetric('ClientConnectionsSetupFailedAuth', fiveMinutes),
        database: proxyMetric('DatabaseConnectionsSetupFailed', fiveMinutes),
      },
      label: 'Failed connection setups (client auth/TLS + proxy to database)',
      period: fiveMinutes,
    });
    const memoryThreshold = Math.round(instanceMemoryBytes * DATABASE_FREEABLE_MEMORY_ALARM_FRACTION);

    this.alarm('database-cpu', {
      metric: cpu,
      threshold: DATABASE_CPU_ALARM_PERCENT,
      evaluationPeriods: 3,
      description: `Database: CPU above ${DATABASE_CPU_ALARM_PERCENT}% for 15 minutes.`,
    });
    this.alarm('database-free-storage', {
      metric: freeStorage,
      threshold: DATABASE_FREE_STORAGE_ALARM_BYTES,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      description:
        'Database: under 1 GiB of free storage for 10 minutes (storage autoscaling did not keep up, or reached maxAllocatedStorage).',
    });
    this.alarm('database-freeable-memory', {
      metric: freeableMemory,
      threshold: memoryThreshold,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      description: `Database: freeable memory under ${DATABASE_FREEABLE_MEMORY_ALARM_FRACTION * 100}% of the instance's for 15 minutes.`,
    });
    this.alarm('database-proxy-connections', {
      metric: connectionsUsed,
      threshold: PROXY_CONNECTIONS_ALARM_PERCENT,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description: `RDS Proxy: database connections at ${PROXY_CONNECTIONS_ALARM_PERCENT}% or more of what it may open, 3 of 5 minutes.`,
    });
    this.alarm('database-proxy-connection-errors', {
      metric: connectionErrors,
      threshold: PROXY_CONNECTION_ERRORS_ALARM,
      evaluationPeriods: 1,
      description: `RDS Proxy: ${PROXY_CONNECTION_ERRORS_ALARM} or more failed connection setups in 5 minutes (client authentication or TLS, or proxy to database).`,
    });

    return [
      new cloudwatch.GraphWidget({ title: 'Database CPU (%)', width: 6, left: [cpu] }),
      new cloudwatch.GraphWidget({
        title: 'Database free storage and freeable memory (bytes)',
        width: 6,
        left: [
          freeStorage.with({ label: 'free storage' }),
          freeableMemory.with({ label: 'freeable memory' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'RDS Proxy database connections',
        width: 6,
        left: [
          proxyMetric('DatabaseConnections', oneMinute).with({ label: 'open' }),
          proxyMetric('MaxDatabaseConnectionsAllowed', oneMinute).with({ label: 'allowed' }),
          proxyMetric('ClientConnections', oneMinute).with({ label: 'clients' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'RDS Proxy failed connection setups',
        width: 6,
        left: [connectionErrors],
      }),
    ];
  }

  /**
   * Two alarms per dead-letter queue. `<name>` holds messages: in ALARM (one notification) until the DLQ is
   * empty again, then OK. `<name>-new` fires for each new dead letter, also while the first alarm is still
   * in ALARM: it watches the minute-to-minute increase of the messages in the queue (visible + in flight,
   * so reading the DLQ to inspect it does not count as new) and goes quiet a minute or two later, without
   * an OK notification. Dead letters in consecutive minutes share a notification.
   */
  private deadLetterAlarm(name: string, queue: sqs.IQueue): void {
    const perMinute = { period: Duration.minutes(1), statistic: 'Maximum' };
    this.alarm(name, {
      metric: queue.metricApproximateNumberOfMessagesVisible(perMinute),
      threshold: 1,
      evaluationPeriods: 1,
      description: `Dead-letter queue ${name} holds messages: see README "Operations" to inspect and redrive.`,
    });
    this.alarm(`${name}-new`, {
      // SQS stops publishing the metrics of an empty, idle queue: missing means 0 messages.
      metric: new cloudwatch.MathExpression({
        expression: 'DIFF(FILL(visible, 0) + FILL(inflight, 0))',
        usingMetrics: {
          visible: queue.metricApproximateNumberOfMessagesVisible(perMinute),
          inflight: queue.metricApproximateNumberOfMessagesNotVisible(perMinute),
        },
        label: `${name}: messages added`,
        period: Duration.minutes(1),
      }),
      threshold: 1,
      // Two periods, so DIFF has a preceding minute inside the window; one increase is enough.
      evaluationPeriods: 2,
      datapointsToAlarm: 1,
      notifyOk: false,
      description: `A new message arrived in dead-letter queue ${name} (one notification per dead letter, or per burst).`,
    });
  }

  /** A health metric one function reports, summed per `period`. */
  private healthMetric(metricName: string, fn: string, period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: names.service(fn) },
      period,
      statistic: 'Sum',
    });
  }

  private alarm(
    name: string,
    props: {
      metric: cloudwatch.IMetric;
      threshold: number;
      evaluationPeriods: number;
      datapointsToAlarm?: number;
      comparisonOperator?: cloudwatch.ComparisonOperator;
      /** Also notify the return to OK (default); off for alarms that mark events rather than states. */
      notifyOk?: boolean;
      /** Default: not breaching (no data means nothing happened). */
      missingData?: cloudwatch.TreatMissingData;
      description: string;
    },
  ): void {
    const alarm = new cloudwatch.Alarm(this, `Alarm-${name}`, {
      alarmName: names.alarm(this.stageName, name),
      alarmDescription: props.description,
      metric: props.metric,
      threshold: props.threshold,
      evaluationPeriods: props.evaluationPeriods,
      datapointsToAlarm: props.datapointsToAlarm,
      comparisonOperator:
        props.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: props.missingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    if (props.notifyOk ?? true) alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }

  private createDashboard(props: ObservabilityProps): cloudwatch.Dashboard {
    const fns = Object.entries(props.functions);
    const queues = Object.entries(props.queues);
    const perFunction = (title: string, pick: (fn: PlatformFunction) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({
        title,
        width: 8,
        left: fns.map(([name, fn]) => (pick(fn) as cloudwatch.Metric).with({ label: name })),
      });
    const business = new cloudwatch.GraphWidget({
      title: 'Payments and notifications (per 5 min)',
      width: 12,
      left: Object.values(METRICS).map(
        (metric) =>
          new cloudwatch.MathExpression({
            expression: `SUM(SEARCH('{${METRICS_NAMESPACE},service} MetricName="${metric}"', 'Sum', 300))`,
            label: metric,
            period: Duration.minutes(5),
          }),
      ),
    });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: names.stageResource(this.stageName),
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12, height: 6 }),
      business,
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        width: 12,
        left: [props.api.metricCount(), props.api.metricClientError(), props.api.metricServerError()],
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency',
        width: 12,
        left: ['p50', 'p99'].map((statistic) => props.api.metricLatency({ statistic, label: statistic })),
      }),
    );
    dashboard.addWidgets(
      perFunction('Function errors', (fn) => fn.function.metricErrors()),
      perFunction('Function throttles', (fn) => fn.function.metricThrottles()),
      perFunction('Function duration p99', (fn) => fn.function.metricDuration({ statistic: 'p99' })),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Queue depth',
        width: 8,
        left: queues.map(([name, q]) => q.queue.metricApproximateNumberOfMessagesVisible({ label: name })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Oldest message age (s)',
        width: 8,
        left: queues.map(([name, q]) => q.queue.metricApproximateAgeOfOldestMessage({ label: name })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queues',
        width: 8,
        left: [
          ...queues.map(([name, q]) =>
            q.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: name }),
          ),
          ...Object.entries(props.targetDeadLetterQueues).map(([name, q]) =>
            q.metricApproximateNumberOfMessagesVisible({ label: `${name} (target)` }),
          ),
        ],
      }),
    );
    return dashboard;
  }
}

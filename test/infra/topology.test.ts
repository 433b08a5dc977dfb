import { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { RELAY_STOPS_BEFORE_DEADLINE_MS } from '../../lambdas/outbox-relay/handler';
import { scheduleMinutes } from '../../lib/constructs/schedule';
import { GATEWAY_ERRORS, type GatewayErrorType } from '../../lib/gateway-errors';
import { names } from '../../lib/names';
import { topology } from '../../lib/topology';
import {
  asArray,
  environmentOf,
  functionIdOf,
  logicalIdWhere,
  type Resource,
  resourcesOfType,
  synthesize,
} from './support/synth';

// Every entry of lib/topology.ts must be in the AWS template with the topology's settings (docs/architecture.md, "One topology, two runtimes").
let template: Template;
beforeAll(() => {
  template = synthesize({ target: 'aws' }).template;
});

const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });
const fnId = (name: keyof typeof topology.functions) => functionIdOf(template, name);

/** The queue a topology queue became: found through its consumer's event source mapping. */
function queueIds(name: keyof typeof topology.queues) {
  const spec = topology.queues[name];
  // A function may consume several queues: the mapping is the consumer's whose source is this queue
  // (the stack's construct id `Queue-<name>` makes its logical id start with `Queue<name>Queue`).
  const mapping = Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')).find(
    (m) =>
      JSON.stringify(m.Properties?.FunctionName) === JSON.stringify({ Ref: fnId(spec.consumer) }) &&
      (m.Properties!.EventSourceArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0].startsWith(
        `Queue${name}Queue`,
      ),
  );
  if (!mapping) throw new Error(`No event source mapping for ${spec.consumer}`);
  const queueId = (mapping.Properties!.EventSourceArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const queue = resourcesOfType(template, 'AWS::SQS::Queue')[queueId]!;
  const redrive = queue.Properties!.RedrivePolicy as {
    deadLetterTargetArn: { 'Fn::GetAtt': [string] };
    maxReceiveCount: number;
  };
  return { mapping, queueId, queue, redrive, dlqId: redrive.deadLetterTargetArn['Fn::GetAtt'][0] };
}

describe('functions', () => {
  it.each(Object.entries(topology.functions))('%s has its topology settings', (name, spec) => {
    const fn = resourcesOfType(template, 'AWS::Lambda::Function')[functionIdOf(template, name)]!;
    expect(fn.Properties).toMatchObject({
      FunctionName: names.inStage('dev', name),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: spec.timeoutSeconds,
      MemorySize: spec.memoryMb,
      TracingConfig: { Mode: 'Active' },
    });
    const env = environmentOf(fn);
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: names.service(name),
      POWERTOOLS_METRICS_NAMESPACE: 'Payments',
    });
    // The master secret is the migrator's alone; the others sign in as their own role (docs/architecture.md, "Database roles").
    expect('DATABASE_SECRET_ARN' in env).toBe(name === topology.migrator);
    expect(env.DATABASE_USER).toBe(
      spec.usesDatabase && name !== topology.migrator ? names.databaseRole(name) : undefined,
    );
    expect('EVENT_BUS_NAME' in env).toBe(spec.publishesEvents);
    // No --enable-source-maps on every cold start (docs/infrastructure.md, "Bundles").
    expect(env.NODE_OPTIONS).toBeUndefined();
    // Functions that reach the database run in the VPC; the others stay outside it.
    expect(fn.Properties?.VpcConfig !== undefined).toBe(spec.usesDatabase);
  });

  it('has no Lambda function outside the topology except the providers of its two custom resources', () => {
    const functions = Object.entries(resourcesOfType(template, 'AWS::Lambda::Function'));
    const services = functions.flatMap(([, r]) => environmentOf(r).POWERTOOLS_SERVICE_NAME ?? []);
    expect(services.sort()).toEqual(Object.keys(topology.functions).map(names.service).sort());
    // Every other function is the service token of a custom resource: the migrations' provider framework
    // and the provider that strips the VPC default security group's rules.
    const others = functions.filter(([, r]) => environmentOf(r).POWERTOOLS_SERVICE_NAME === undefined);
    const customResources = Object.values(template.toJSON().Resources as Record<string, Resource>).filter(
      (r) => r.Type.startsWith('Custom::'),
    );
    expect(customResources.map((r) => r.Type).sort()).toEqual([
      'Custom::SchemaMigrations',
      'Custom::VpcRestrictDefaultSG',
    ]);
    const serviceTokens = customResources.map(
      (r) => (r.Properties!.ServiceToken as { 'Fn::GetAtt': [string, 'Arn'] })['Fn::GetAtt'][0],
    );
    expect(others.map(([id]) => id).sort()).toEqual(serviceTokens.sort());
  });

  it('database functions get the RDS Proxy endpoint, fully verified TLS and no named prepared statements', () => {
    const viaProxy = Object.entries(topology.functions).filter(
      ([name, f]) => f.usesDatabase && name !== topology.migrator,
    );
    for (const [name] of viaProxy) {
      const env = environmentOf(
        resourcesOfType(template, 'AWS::Lambda::Function')[functionIdOf(template, name)]!,
      );
      // verify-full: RDS Proxy's certificate chains to Amazon Root CA 1, in Node's default CA store.
      expect(env).toMatchObject({ DATABASE_SSL: 'verify-full', DATABASE_PREPARE: 'false' });
      expect(JSON.stringify(env.DATABASE_HOST)).toContain('Endpoint');
    }
    // The migrator reaches the instance (the secret's host) and verifies its RDS CA certificate.
    const migrator = environmentOf(
      resourcesOfType(template, 'AWS::Lambda::Function')[functionIdOf(template, topology.migrator)]!,
    );
    expect(migrator).toMatchObject({
      DATABASE_SSL: 'verify-full',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    });
    expect(migrator.DATABASE_HOST).toBeUndefined();
  });
});

describe('routes', () => {
  function resourcePaths(): Record<string, string> {
    const resources = resourcesOfType(template, 'AWS::ApiGateway::Resource');
    const pathOf = (id: string): string => {
      const r = resources[id]!.Properties!;
      const parent = r.ParentId as { Ref?: string };
      const prefix = parent.Ref && resources[parent.Ref] ? pathOf(parent.Ref) : '';
      return `${prefix}/${r.PathPart as string}`;
    };
    return Object.fromEntries(Object.keys(resources).map((id) => [id, pathOf(id)]));
  }

  it('has exactly one method per topology route, authorized as the topology says', () => {
    const paths = resourcePaths();
    const methods = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method')).map((m) => ({
      method: m.Properties!.HttpMethod,
      path: paths[(m.Properties!.ResourceId as { Ref: string }).Ref],
      authorized: m.Properties!.AuthorizationType === 'CUSTOM',
      integration: (m.Properties!.Integration as { Type: string }).Type,
    }));
    const expected = topology.routes.map((r) => ({
      method: r.method,
      path: r.path,
      authorized: r.authorized,
      integration: 'AWS_PROXY',
    }));
    const key = (x: { method: string; path: string }) => `${x.method} ${x.path}`;
    expect([...methods].sort((a, b) => key(a as never).localeCompare(key(b as never)))).toEqual(
      [...expected].sort((a, b) => key(a).localeCompare(key(b))),
    );
  });

  it('uses a TOKEN authorizer on the Authorization header backed by the authorizer function', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
    });
    const authorizer = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Authorizer'))[0]!;
    expect(JSON.stringify(authorizer.Properties!.AuthorizerUri)).toContain(fnId('authorizer'));
  });

  it.each([
    ['UNAUTHORIZED', '401', 'unauthorized'],
    ['ACCESS_DENIED', '401', 'unauthorized'], // the authorizer's Deny says why the token was refused
    ['MISSING_AUTHENTICATION_TOKEN', '404', 'not_found'],
    ['INCOMPLETE_SIGNATURE', '404', 'not_found'],
    ['REQUEST_TOO_LARGE', '413', 'payload_too_large'],
    ['THROTTLED', '429', 'throttled'],
    ['DEFAULT_4XX', undefined, 'bad_request'],
    ['DEFAULT_5XX', undefined, 'internal_error'],
  ])('maps the %s gateway response to the error shape', (type, status, code) => {
    const response = Object.values(resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse')).find(
      (r) => r.Properties!.ResponseType === type,
    );
    expect(response?.Properties?.StatusCode).toBe(status);
    const body = JSON.parse(
      (response!.Properties!.ResponseTemplates as Record<string, string>)['application/json']!,
    );
    expect(body).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('answers every gateway error with the texts the local emulation uses, echoing X-Correlation-Id', () => {
    const responses = Object.values(resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse'));
    expect(responses.map((r) => r.Properties!.ResponseType).sort()).toEqual(
      Object.keys(GATEWAY_ERRORS).sort(),
    );
    for (const r of responses) {
      const answer = GATEWAY_ERRORS[r.Properties!.ResponseType as GatewayErrorType];
      const body = JSON.parse(
        (r.Properties!.ResponseTemplates as Record<string, string>)['application/json']!,
      );
      const message = typeof answer.message === 'string' ? answer.message : '$context.authorizer.reason';
      expect(body).toEqual({ error: { code: answer.code, message } });
      expect(r.Properties!.ResponseParameters).toEqual({
        'gatewayresponse.header.X-Correlation-Id': 'method.request.header.X-Correlation-Id',
      });
    }
  });

  it('throttles the stage and writes JSON access logs', () => {
    const stage = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Stage'))[0]!.Properties!;
    expect(stage.MethodSettings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ThrottlingRateLimit: expect.any(Number),
          ThrottlingBurstLimit: expect.any(Number),
        }),
      ]),
    );
    expect(JSON.parse((stage.AccessLogSetting as { Format: string }).Format)).toHaveProperty('requestId');
  });
});

describe('queues', () => {
  it.each(Object.keys(topology.queues) as Array<keyof typeof topology.queues>)(
    '%s has the topology settings',
    (name) => {
      const spec = topology.queues[name];
      const { mapping, queue, redrive } = queueIds(name);
      expect(queue.Properties).toMatchObject({
        VisibilityTimeout: spec.visibilityTimeoutSeconds,
        MessageRetentionPeriod: spec.retentionDays * 86400,
        SqsManagedSseEnabled: true,
      });
      expect(redrive.maxReceiveCount).toBe(spec.maxReceiveCount);
      expect(spec.maxReceiveCount).toBeGreaterThanOrEqual(5);
      expect(mapping.Properties).toMatchObject({
        BatchSize: spec.batchSize,
        ScalingConfig: { MaximumConcurrency: spec.maxConcurrency },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    },
  );

  it.each(Object.keys(topology.queues) as Array<keyof typeof topology.queues>)(
    '%s visibility timeout is at least 6x its consumer timeout',
    (name) => {
      const { queue } = queueIds(name);
      const consumer = resourcesOfType(template, 'AWS::Lambda::Function')[
        fnId(topology.queues[name].consumer)
      ]!;
      expect(queue.Properties!.VisibilityTimeout as number).toBeGreaterThanOrEqual(
        6 * (consumer.Properties!.Timeout as number),
      );
    },
  );

  it.each(Object.keys(topology.queues) as Array<keyof typeof topology.queues>)(
    '%s has a DLQ with a depth alarm and an oldest-message alarm, both notifying the alarm topic',
    (name) => {
      const { queueId, dlqId } = queueIds(name);
      const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
      const on = (metric: string, id: string) =>
        alarms.filter(
          (a) =>
            a.Properties!.MetricName === metric &&
            JSON.stringify(a.Properties!.Dimensions) ===
              JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }]),
        );
      for (const alarm of [
        ...on('ApproximateNumberOfMessagesVisible', dlqId),
        ...on('ApproximateAgeOfOldestMessage', queueId),
      ]) {
        expect(alarm.Properties!.AlarmActions).toEqual([
          expect.objectContaining({ Ref: expect.any(String) }),
        ]);
      }
      expect(on('ApproximateNumberOfMessagesVisible', dlqId)).toHaveLength(1);
      expect(on('ApproximateAgeOfOldestMessage', queueId)).toHaveLength(1);
    },
  );
});

describe('rules and schedules', () => {
  const busRules = () =>
    Object.values(resourcesOfType(template, 'AWS::Events::Rule')).filter(
      (r) => r.Properties!.EventBusName !== undefined,
    );

  it.each(Object.entries(topology.rules))(
    '%s: exact event pattern, to its queue, with retries and a DLQ',
    (_n, spec) => {
      const { queueId } = queueIds(spec.queue);
      const matches = busRules().filter(
        (r) => JSON.stringify(r.Properties!.EventPattern) === JSON.stringify(spec.pattern),
      );
      expect(matches).toHaveLength(1);
      const target = (matches[0]!.Properties!.Targets as Array<Record<string, unknown>>)[0]!;
      expect(target.Arn).toEqual(getAtt(queueId));
      expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 });
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
    },
  );

  it('has no bus rule beyond the topology', () => {
    expect(busRules()).toHaveLength(Object.keys(topology.rules).length);
  });

  it.each(Object.entries(topology.schedules))(
    '%s runs its function at the topology rate, rounded up to minutes',
    (_n, spec) => {
      const minutes = scheduleMinutes(spec);
      // As CDK writes it: whole hours as hours (the analytics schedule's 60 minutes is `rate(1 hour)`).
      const expression = events.Schedule.rate(Duration.minutes(minutes)).expressionString;
      const rule = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).find(
        (r: Resource) => r.Properties!.ScheduleExpression === expression,
      );
      const target = (rule!.Properties!.Targets as Array<Record<string, unknown>>)[0]!;
      expect(target.Arn).toEqual(getAtt(fnId(spec.function)));
      expect(target.DeadLetterConfig).toBeDefined();
      expect(minutes * 60).toBeGreaterThanOrEqual(spec.everySeconds);
    },
  );

  it('an always-on schedule is always running: each run outlasts the interval, overlapping the next', () => {
    const alwaysOn = Object.values(topology.schedules).filter((s) => 'alwaysOn' in s && s.alwaysOn);
    expect(alwaysOn.map((s) => s.function)).toEqual(['outboxRelay']);
    for (const spec of alwaysOn) {
      const fn = resourcesOfType(template, 'AWS::Lambda::Function')[fnId(spec.function)]!;
      const runsMs = (fn.Properties!.Timeout as number) * 1000 - RELAY_STOPS_BEFORE_DEADLINE_MS;
      expect(runsMs).toBeGreaterThan(scheduleMinutes(spec) * 60_000);
      expect(runsMs).toBeGreaterThan(spec.localEverySeconds * 1000);
    }
  });

  it('the bus has an archive', () => {
    const busId = logicalIdWhere(template, 'AWS::Events::EventBus', () => true);
    template.hasResourceProperties('AWS::Events::Archive', { SourceArn: getAtt(busId) });
  });
});

describe('migrations', () => {
  const migrationsId = () => logicalIdWhere(template, 'Custom::SchemaMigrations', () => true);
  const dependsOn = (r: Resource) => asArray(r.DependsOn as string | string[] | undefined);

  it('run through a custom resource whose properties change with the migrations', () => {
    const migrations = Object.values(resourcesOfType(template, 'Custom::SchemaMigrations'));
    expect(migrations).toHaveLength(1);
    expect(migrations[0]!.Properties!.MigrationsHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(Object.keys(topology.functions).filter((f) => f !== topology.migrator))(
    'function %s goes live only after the migrations ran',
    (name) => {
      const fn = resourcesOfType(template, 'AWS::Lambda::Function')[fnId(name as never)]!;
      expect(dependsOn(fn)).toContain(migrationsId());
    },
  );

  it('the migrator does not wait for the migrations it runs', () => {
    const fn = resourcesOfType(template, 'AWS::Lambda::Function')[fnId(topology.migrator)]!;
    expect(dependsOn(fn)).not.toContain(migrationsId());
  });

  it('every queue event source mapping and schedule rule starts after the migrations', () => {
    const mappings = Object.entries(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(Object.keys(topology.queues).length);
    const schedules = Object.entries(resourcesOfType(template, 'AWS::Events::Rule')).filter(
      ([, r]) => r.Properties!.ScheduleExpression !== undefined,
    );
    expect(schedules).toHaveLength(Object.keys(topology.schedules).length);
    for (const [id, r] of [...mappings, ...schedules]) {
      expect({ id, dependsOn: dependsOn(r) }).toEqual({
        id,
        dependsOn: expect.arrayContaining([migrationsId()]),
      });
    }
  });

  it('the API stage is deployed after the migrations', () => {
    for (const [id, r] of Object.entries(resourcesOfType(template, 'AWS::ApiGateway::Stage'))) {
      expect({ id, dependsOn: dependsOn(r) }).toEqual({
        id,
        dependsOn: expect.arrayContaining([migrationsId()]),
      });
    }
  });
});

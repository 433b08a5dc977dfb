import type { Template } from 'aws-cdk-lib/assertions';
import { VPC_NETWORK_INTERFACE_ACTIONS } from '../../lib/constructs/platform-function';
import { names } from '../../lib/names';
import { topology } from '../../lib/topology';
import {
  asArray,
  environmentOf,
  functionIdOf,
  identityStatements,
  resourcesOfType,
  synthesize,
} from './support/synth';

// AWS requires resource "*" for exactly these; nothing else may have it (docs/architecture.md, "AWS").
const RESOURCE_STAR_ALLOWLIST = {
  aws: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments', ...VPC_NETWORK_INTERFACE_ACTIONS].sort(),
  localstack: [] as string[],
};
const SECRET_LOOKING_KEY = /PASSWORD|SECRET|TOKEN|PRIVATE|CREDENTIAL|API_?KEY/i;
const LOCAL_DB_PASSWORD = 'context-given-local-password';

const templates: Record<'aws' | 'localstack', Template> = {} as never;
beforeAll(() => {
  templates.aws = synthesize({ target: 'aws' }).template;
  // A distinctive password, to prove it reaches the secret and never a function's environment.
  templates.localstack = synthesize({ target: 'localstack', localDbPassword: LOCAL_DB_PASSWORD }).template;
});

describe.each(['aws', 'localstack'] as const)('%s target', (target) => {
  const template = () => templates[target];

  it('grants no "*" action and no service-wide wildcard action', () => {
    for (const { policy, statement } of identityStatements(template())) {
      for (const action of asArray(statement.Action)) {
        expect({ policy, action }).not.toEqual({ policy, action: '*' });
        expect({ policy, action }).not.toEqual({ policy, action: expect.stringMatching(/:\*$/) });
      }
    }
  });

  it('grants resource "*" only for the named actions AWS requires it for', () => {
    const starActions = new Set<string>();
    for (const { statement } of identityStatements(template())) {
      if (asArray(statement.Resource as string | string[]).includes('*')) {
        for (const action of asArray(statement.Action)) starActions.add(action);
      }
    }
    expect([...starActions].sort()).toEqual(RESOURCE_STAR_ALLOWLIST[target]);
  });

  it('puts no secret value in any Lambda environment variable', () => {
    for (const [id, fn] of Object.entries(resourcesOfType(template(), 'AWS::Lambda::Function'))) {
      for (const [key, value] of Object.entries(environmentOf(fn))) {
        if (SECRET_LOOKING_KEY.test(key))
          expect({ id, key }).toEqual({ id, key: expect.stringMatching(/_ARN$/) });
        if (key.endsWith('_ARN')) expect(JSON.stringify(value)).toMatch(/^\{"(Ref|Fn::GetAtt)"/);
        expect(JSON.stringify(value)).not.toContain(LOCAL_DB_PASSWORD);
      }
    }
  });

  it('encrypts every queue and refuses plain HTTP on it', () => {
    const queues = resourcesOfType(template(), 'AWS::SQS::Queue');
    const policies = Object.values(resourcesOfType(template(), 'AWS::SQS::QueuePolicy'));
    for (const [id, queue] of Object.entries(queues)) {
      expect({ id, sse: queue.Properties?.SqsManagedSseEnabled }).toEqual({ id, sse: true });
      const denyInsecure = policies.some(
        (p) =>
          JSON.stringify(p.Properties!.Queues).includes(id) &&
          JSON.stringify(p.Properties!.PolicyDocument).includes('"aws:SecureTransport":"false"'),
      );
      expect({ id, denyInsecure }).toEqual({ id, denyInsecure: true });
    }
  });

  it('gives each function its own role', () => {
    const roles = Object.values(resourcesOfType(template(), 'AWS::Lambda::Function')).map((f) =>
      JSON.stringify(f.Properties!.Role),
    );
    expect(new Set(roles).size).toBe(roles.length);
  });

  it('lets the workers change visibility on their own queue only, and publishers put events on the bus only', () => {
    const statements = identityStatements(template());
    const roleOf = (name: string) => {
      const fn = resourcesOfType(template(), 'AWS::Lambda::Function')[functionIdOf(template(), name)]!;
      return (fn.Properties!.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    };
    const policiesOfRole = (role: string) =>
      Object.entries(resourcesOfType(template(), 'AWS::IAM::Policy'))
        .filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(role))
        .map(([id]) => id);
    for (const [queueName, spec] of Object.entries(topology.queues)) {
      const policies = policiesOfRole(roleOf(spec.consumer));
      const mine = statements.filter((s) => policies.includes(s.policy));
      const visibility = mine.filter((s) =>
        asArray(s.statement.Action).includes('sqs:ChangeMessageVisibility'),
      );
      expect({ queueName, count: visibility.length }).toEqual({ queueName, count: 1 });
      expect(JSON.stringify(visibility[0]!.statement.Resource)).toMatch(new RegExp(`Queue${queueName}Queue`));
    }
    const putEvents = statements.filter((s) => asArray(s.statement.Action).includes('events:PutEvents'));
    const busId = Object.keys(resourcesOfType(template(), 'AWS::Events::EventBus'))[0]!;
    expect(putEvents.length).toBe(Object.values(topology.functions).filter((f) => f.publishesEvents).length);
    for (const { statement } of putEvents)
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
  });
});

describe('aws target', () => {
  it('keeps PostgreSQL encrypted, private and TLS-only behind RDS Proxy', () => {
    const template = templates.aws;
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      StorageEncrypted: true,
      PubliclyAccessible: false,
      Engine: 'postgres',
    });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    template.hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: true, EngineFamily: 'POSTGRESQL' });
    expect(Object.keys(resourcesOfType(template, 'AWS::EC2::NatGateway'))).toHaveLength(0);
    expect(Object.keys(resourcesOfType(template, 'AWS::EC2::InternetGateway'))).toHaveLength(0);
  });

  it('has interface endpoints for Secrets Manager, EventBridge and SQS', () => {
    const names = Object.values(resourcesOfType(templates.aws, 'AWS::EC2::VPCEndpoint')).map((e) =>
      JSON.stringify(e.Properties!.ServiceName),
    );
    for (const service of ['secretsmanager', 'events', 'sqs']) {
      expect(names.some((n) => n.includes(`.${service}`))).toBe(true);
    }
  });
});

describe('localstack target', () => {
  it('has no VPC, RDS or proxy, and a secret for the external database', () => {
    const template = templates.localstack;
    for (const type of ['AWS::EC2::VPC', 'AWS::RDS::DBInstance', 'AWS::RDS::DBProxy']) {
      expect({ type, count: Object.keys(resourcesOfType(template, type)).length }).toEqual({
        type,
        count: 0,
      });
    }
    const secrets = Object.entries(resourcesOfType(template, 'AWS::SecretsManager::Secret')).filter(([, s]) =>
      String(s.Properties!.SecretString ?? '').includes('"host":"postgres"'),
    );
    expect(secrets).toHaveLength(1);
    const [secretId] = secrets[0]!;
    for (const [name] of Object.entries(topology.functions).filter(([, f]) => f.usesDatabase)) {
      const fn = resourcesOfType(template, 'AWS::Lambda::Function')[functionIdOf(template, name)]!;
      expect(environmentOf(fn).DATABASE_SECRET_ARN).toEqual({ Ref: secretId });
      // No IAM for PostgreSQL here: the container's credentials sign in and each function takes its role.
      expect(environmentOf(fn).DATABASE_USER).toBe(
        name === topology.migrator ? undefined : names.databaseRole(name),
      );
      expect(environmentOf(fn).DATABASE_HOST).toBeUndefined();
      // localstack.yml's PostgreSQL container has no TLS.
      expect(environmentOf(fn).DATABASE_SSL).toBe('disable');
    }
  });
});

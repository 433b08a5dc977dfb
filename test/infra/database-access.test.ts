import type { App } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { names } from '../../lib/names';
import { topology } from '../../lib/topology';
import {
  asArray,
  environmentOf,
  functionIdOf,
  identityStatements,
  type Resource,
  resourcesOfType,
  type Synthesized,
  synthesize,
} from './support/synth';

// Who may reach PostgreSQL, as whom (docs/architecture.md, "Database roles"): each function through RDS
// Proxy with IAM as its own role, the master secret the migrator's alone, and that secret rotated.

let aws: Synthesized;
let localstack: Synthesized;
beforeAll(() => {
  aws = synthesize({ target: 'aws' });
  localstack = synthesize({ target: 'localstack' });
});

const viaProxy = Object.entries(topology.functions)
  .filter(([name, spec]) => spec.usesDatabase && name !== topology.migrator)
  .map(([name]) => name);

function roleIdOf(s: Synthesized, name: string): string {
  const fn = resourcesOfType(s.template, 'AWS::Lambda::Function')[functionIdOf(s.template, name)]!;
  return (fn.Properties!.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
}

/** The statements of the policies attached to IAM role `roleId`. */
function statementsOfRole(s: Synthesized, roleId: string) {
  const policies = Object.entries(resourcesOfType(s.template, 'AWS::IAM::Policy'))
    .filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(`"${roleId}"`))
    .map(([id]) => id);
  return identityStatements(s.template)
    .filter((x) => policies.includes(x.policy))
    .map((x) => x.statement);
}

const grants = (statements: ReturnType<typeof statementsOfRole>, action: string) =>
  statements.filter((st) => asArray(st.Action).includes(action));

/** The database user an `rds-db:connect` resource (a Fn::Join) names: its last literal part. */
function dbUserOf(resource: unknown): string {
  const parts = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const last = parts[parts.length - 1];
  if (typeof last !== 'string' || !last.startsWith('/'))
    throw new Error(`No user in ${JSON.stringify(resource)}`);
  return last.slice(1);
}

function acknowledgedRules(app: App, pathPart: string): string[] {
  const out: string[] = [];
  const visit = (c: IConstruct) => {
    for (const entry of c.node.metadata) {
      if (entry.type === 'aws:cdk:acknowledged-rules' && c.node.path.includes(pathPart))
        out.push(...Object.keys(entry.data as Record<string, string>));
    }
    for (const child of c.node.children) visit(child);
  };
  visit(app);
  return out;
}

describe('aws target', () => {
  const proxyId = () => Object.keys(resourcesOfType(aws.template, 'AWS::RDS::DBProxy'))[0]!;

  it.each(viaProxy)('%s may rds-db:connect through the proxy as exactly its own role', (name) => {
    const connects = grants(statementsOfRole(aws, roleIdOf(aws, name)), 'rds-db:connect');
    expect(connects).toHaveLength(1);
    const resource = connects[0]!.Resource;
    expect(dbUserOf(resource)).toBe(names.databaseRole(name));
    expect(JSON.stringify(resource)).toContain(`"${proxyId()}","DBProxyArn"`);
    expect(
      environmentOf(
        resourcesOfType(aws.template, 'AWS::Lambda::Function')[functionIdOf(aws.template, name)]!,
      ),
    ).toMatchObject({
      DATABASE_USER: names.databaseRole(name),
    });
  });

  it('gives no other function rds-db:connect, and the migrator none', () => {
    const others = Object.keys(topology.functions).filter((n) => !viaProxy.includes(n));
    expect(others).toContain(topology.migrator);
    for (const name of others) {
      expect({
        name,
        connects: grants(statementsOfRole(aws, roleIdOf(aws, name)), 'rds-db:connect'),
      }).toEqual({
        name,
        connects: [],
      });
    }
  });

  it('lets no function but the migrator read the database secret', () => {
    const [attachment] = Object.keys(
      resourcesOfType(aws.template, 'AWS::SecretsManager::SecretTargetAttachment'),
    );
    const [secret] = Object.keys(resourcesOfType(aws.template, 'AWS::SecretsManager::Secret')).filter((id) =>
      id.startsWith('DatabaseInstanceSecret'),
    );
    const databaseSecret = (st: { Resource?: unknown }) =>
      [attachment, secret].some((id) => JSON.stringify(st.Resource).includes(`"${id}"`));
    const readers = Object.keys(topology.functions).filter((name) =>
      grants(statementsOfRole(aws, roleIdOf(aws, name)), 'secretsmanager:GetSecretValue').some(
        databaseSecret,
      ),
    );
    expect(readers).toEqual([topology.migrator]);
    for (const name of viaProxy) {
      const env = environmentOf(
        resourcesOfType(aws.template, 'AWS::Lambda::Function')[functionIdOf(aws.template, name)]!,
      );
      expect({ name, secret: env.DATABASE_SECRET_ARN }).toEqual({ name, secret: undefined });
    }
  });

  it('requires IAM end to end: the proxy takes IAM tokens only and signs in to the instance with IAM, holding no secrets', () => {
    const proxy = resourcesOfType(aws.template, 'AWS::RDS::DBProxy')[proxyId()]!.Properties!;
    expect(proxy).toMatchObject({ DefaultAuthScheme: 'IAM_AUTH', RequireTLS: true });
    expect(proxy.Auth).toBeUndefined();
    const [instance] = Object.values(resourcesOfType(aws.template, 'AWS::RDS::DBInstance'));
    expect(instance!.Properties!.EnableIAMDatabaseAuthentication).toBe(true);
    // The proxy's own role connects to the instance (its DbiResourceId) as exactly the functions' roles.
    const proxyRole = (proxy.RoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const users = grants(statementsOfRole(aws, proxyRole), 'rds-db:connect').flatMap((st) =>
      asArray(st.Resource),
    );
    expect(users.map(dbUserOf).sort()).toEqual(viaProxy.map(names.databaseRole).sort());
    for (const user of users) expect(JSON.stringify(user)).toContain('DbiResourceId');
    expect(grants(statementsOfRole(aws, proxyRole), 'secretsmanager:GetSecretValue')).toEqual([]);
  });

  it('rotates the master secret every 30 days with a function that reaches the instance and Secrets Manager', () => {
    const schedules = Object.values(resourcesOfType(aws.template, 'AWS::SecretsManager::RotationSchedule'));
    expect(schedules).toHaveLength(1);
    const [attachment] = Object.keys(
      resourcesOfType(aws.template, 'AWS::SecretsManager::SecretTargetAttachment'),
    );
    expect(schedules[0]!.Properties).toMatchObject({
      SecretId: { Ref: attachment },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    const [app] = Object.values(resourcesOfType(aws.template, 'AWS::Serverless::Application')) as Resource[];
    const parameters = app!.Properties!.Parameters as Record<string, unknown>;
    const owner = Object.keys(resourcesOfType(aws.template, 'AWS::EC2::SecurityGroup')).find((id) =>
      id.startsWith('DatabaseOwnerSecurityGroup'),
    )!;
    expect(JSON.stringify(parameters.vpcSecurityGroupIds)).toContain(owner);
    const ingress = Object.values(resourcesOfType(aws.template, 'AWS::EC2::SecurityGroupIngress')).map(
      (r) => r.Properties!,
    );
    // The instance's port is its endpoint's (a token); the endpoint's is 443.
    const from = (port: (p: unknown) => boolean) =>
      ingress
        .filter((r) => port(r.FromPort) && JSON.stringify(r.SourceSecurityGroupId).includes(owner))
        .map((r) => JSON.stringify(r.GroupId));
    const instancePort = (p: unknown) => JSON.stringify(p).includes('Endpoint.Port');
    expect(from(instancePort).some((g) => g.includes('DatabaseInstanceSecurityGroup'))).toBe(true);
    expect(from((p) => p === 443).some((g) => g.includes('SecretsManager'))).toBe(true);
    // The migrator carries that group (and not the functions' group: it never uses the proxy).
    const migrator = resourcesOfType(aws.template, 'AWS::Lambda::Function')[
      functionIdOf(aws.template, topology.migrator)
    ]!;
    expect(
      JSON.stringify((migrator.Properties!.VpcConfig as { SecurityGroupIds: unknown }).SecurityGroupIds),
    ).toContain(owner);
  });

  it('acknowledges no AwsSolutions-SMG4 on the instance secret: it rotates', () => {
    expect(acknowledgedRules(aws.app, '/Database/').filter((id) => id.includes('SMG4'))).toEqual([]);
  });
});

describe('localstack target', () => {
  it('has no proxy or IAM for PostgreSQL: each function signs in with the container secret and takes its role', () => {
    expect(Object.keys(resourcesOfType(localstack.template, 'AWS::RDS::DBProxy'))).toEqual([]);
    expect(
      Object.keys(resourcesOfType(localstack.template, 'AWS::SecretsManager::RotationSchedule')),
    ).toEqual([]);
    for (const name of viaProxy) {
      const env = environmentOf(
        resourcesOfType(localstack.template, 'AWS::Lambda::Function')[
          functionIdOf(localstack.template, name)
        ]!,
      );
      expect(env).toMatchObject({ DATABASE_USER: names.databaseRole(name), DATABASE_SSL: 'disable' });
      expect(env.DATABASE_SECRET_ARN).toBeDefined();
      expect(grants(statementsOfRole(localstack, roleIdOf(localstack, name)), 'rds-db:connect')).toEqual([]);
    }
    // The container's throwaway credentials do not rotate: their acknowledgement stays.
    expect(acknowledgedRules(localstack.app, '/Database/ExternalCredentials')).toContainEqual(
      expect.stringContaining('AwsSolutions-SMG4'),
    );
  });
});

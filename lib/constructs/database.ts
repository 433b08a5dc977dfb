import { Duration, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { names } from '../names';
import type { StageConfig } from '../stage-config';
import type { Network } from './network';
import type { PlatformFunction } from './platform-function';

const DATABASE_NAME = 'payments';

/**
 * PostgreSQL and the one way in: a Secrets Manager secret (read at cold start, never an environment
 * value) and, in AWS, RDS Proxy with TLS (certificate and host name verified). On LocalStack the secret points at localstack.yml's
 * PostgreSQL container, so the same DATABASE_SECRET_ARN code path runs.
 */
export class Database extends Construct {
  readonly secret: secretsmanager.ISecret;
  readonly instance?: rds.DatabaseInstance;
  readonly proxy?: rds.DatabaseProxy;
  /** The instance class's memory, which the freeable-memory alarm takes its threshold from. */
  readonly instanceMemoryBytes?: number;
  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, props: { config: StageConfig; network?: Network }) {
    super(scope, id);
    this.config = props.config;
    if (props.network) {
      const { instance, proxy, memoryBytes } = this.createRds(props.network);
      this.instance = instance;
      this.proxy = proxy;
      this.instanceMemoryBytes = memoryBytes;
      this.secret = instance.secret!;
    } else {
      this.secret = this.createExternalSecret();
    }
  }

  /** Environment and grants for a function that talks to the database. */
  connect(fn: PlatformFunction): void {
    this.secret.grantRead(fn.role);
    fn.addEnvironment({
      DATABASE_SECRET_ARN: this.secret.secretArn,
      // Lambda scales by instances, so each keeps a small pool; the proxy multiplexes them.
      DATABASE_POOL_MAX: '2',
      // RDS Proxy presents an ACM certificate chaining to Amazon Root CA 1, which is in Node's default CA
      // store: verify the chain and the host name. localstack.yml's PostgreSQL container has no TLS.
      ...(this.proxy
        ? { DATABASE_HOST: this.proxy.endpoint, DATABASE_SSL: 'verify-full', DATABASE_PREPARE: 'false' }
        : { DATABASE_SSL: 'disable', DATABASE_PREPARE: 'true' }),
    });
  }

  private createRds(network: Network) {
    const prod = this.config.stage === 'prod';
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
    const instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: network.vpc,
      description: 'PostgreSQL: reachable from RDS Proxy only',
      allowAllOutbound: false,
    });
    const proxySecurityGroup = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
      vpc: network.vpc,
      description: 'RDS Proxy: reachable from the platform functions only',
      allowAllOutbound: false,
    });
    // Fixed names carry the stage: a second stage in the same account and region must not collide.
    const instanceIdentifier = names.stageResource(this.config.stage);
    const GiB = 1024 ** 3;
    const instanceClass = prod
      ? { type: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE), memoryBytes: 8 * GiB }
      : { type: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO), memoryBytes: 1 * GiB };
    // Created here rather than by RDS so it has a retention (and no LogRetention helper function).
    const postgresLogs = new logs.LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/instance/${instanceIdentifier}/postgresql`,
      retention: prod ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const instance = new rds.DatabaseInstance(this, 'Instance', {
      instanceIdentifier,
      engine,
      instanceType: instanceClass.type,
      vpc: network.vpc,
      vpcSubnets: network.subnets,
      securityGroups: [instanceSecurityGroup],
      credentials: rds.Credentials.fromGeneratedSecret('payments_admin'),
      databaseName: DATABASE_NAME,
      parameterGroup: new rds.ParameterGroup(this, 'Parameters', {
        engine,
        parameters: { 'rds.force_ssl': '1' },
      }),
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      maxAllocatedStorage: prod ? 500 : 50,
      multiAz: prod,
      deletionProtection: prod,
      removalPolicy: prod ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      backupRetention: Duration.days(prod ? 14 : 1),
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql'],
    });
    instance.node.addDependency(postgresLogs);
    const proxy = new rds.DatabaseProxy(this, 'Proxy', {
      dbProxyName: names.stageResource(this.config.stage),
      proxyTarget: rds.ProxyTarget.fromInstance(instance),
      secrets: [instance.secret!],
      vpc: network.vpc,
      vpcSubnets: network.subnets,
      securityGroups: [proxySecurityGroup],
      requireTLS: true,
      iamAuth: false,
      idleClientTimeout: Duration.minutes(15),
    });
    instance.connections.allowDefaultPortFrom(proxySecurityGroup, 'RDS Proxy');
    proxy.connections.allowFrom(network.functionsSecurityGroup, ec2.Port.tcp(5432), 'Platform functions');

    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'RDS Proxy for PostgreSQL listens on 5432 and clients take the port from the secret; the instance ' +
        'admits only the proxy security group inside isolated subnets, so a non-default port adds nothing.',
    });
    if (!prod) {
      Validations.of(instance).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason: 'dev stage: a single-AZ instance keeps a throwaway environment cheap; prod is multi-AZ.',
      });
      Validations.of(instance).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: 'dev stage: must be destroyable with `npm run destroy`; prod has deletion protection.',
      });
    }
    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Functions cache the credentials per cold start and RDS Proxy reads this secret; rotating it needs a ' +
        'coordinated two-user rotation that is not built yet (see README Operations).',
    });
    return { instance, proxy, memoryBytes: instanceClass.memoryBytes };
  }

  private createExternalSecret(): secretsmanager.ISecret {
    const db = this.config.localDatabase;
    const secret = new secretsmanager.Secret(this, 'ExternalCredentials', {
      description: "Credentials of localstack.yml's PostgreSQL container (LocalStack target only)",
      // The RDS secret's JSON shape; these are a local container's throwaway credentials from context.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify(db)),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'LocalStack target only: the throwaway credentials of a local PostgreSQL container.',
    });
    return secret;
  }
}

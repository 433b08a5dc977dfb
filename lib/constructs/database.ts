import { ArnFormat, Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { names } from '../names';
import type { StageConfig } from '../stage-config';
import { topology } from '../topology';
import type { Network } from './network';
import type { PlatformFunction } from './platform-function';

const DATABASE_NAME = 'payments';
/** The master secret's rotation period (Secrets Manager's hosted single-user rotation). */
const ROTATION_DAYS = 30;

/**
 * PostgreSQL and the ways in (docs/architecture.md, "Database roles"). Each function signs in as its own
 * role (lib/names.ts `databaseRole`, created by migrations/0009): in AWS with IAM through RDS Proxy, which
 * itself reaches the instance with IAM (end-to-end IAM: the proxy holds no passwords). The master secret is
 * the migrator's alone, read per invocation; it reaches the instance directly, and Secrets Manager rotates
 * that secret on a schedule. On LocalStack (no RDS, no proxy, no IAM for PostgreSQL) the secret points at
 * localstack.yml's container, and each function signs in with it and takes its role.
 */
export class Database extends Construct {
  readonly secret: secretsmanager.ISecret;
  readonly instance?: rds.DatabaseInstance;
  readonly proxy?: rds.DatabaseProxy;
  /**
   * Carried by what holds the master secret (the migrator, the rotation function): besides the proxy, the
   * only group the instance admits.
   */
  readonly ownerSecurityGroup?: ec2.SecurityGroup;
  /** The instance class's memory, which the freeable-memory alarm takes its threshold from. */
  readonly instanceMemoryBytes?: number;
  private readonly config: StageConfig;
  /** What RDS Proxy signs in to the instance as: `rds-db:connect` for each function's role, nothing else. */
  private proxyRole?: iam.Role;

  constructor(scope: Construct, id: string, props: { config: StageConfig; network?: Network }) {
    super(scope, id);
    this.config = props.config;
    if (props.network) {
      const { instance, proxy, memoryBytes, ownerSecurityGroup } = this.createRds(props.network);
      this.instance = instance;
      this.proxy = proxy;
      this.instanceMemoryBytes = memoryBytes;
      this.ownerSecurityGroup = ownerSecurityGroup;
      this.secret = instance.secret!;
    } else {
      this.secret = this.createExternalSecret();
    }
  }

  /**
   * Environment and grants for topology function `name`: the migrator gets the master secret; every other
   * function `rds-db:connect` as its own role and no secret (on LocalStack: the container's secret).
   */
  connect(fn: PlatformFunction, name: string): void {
    // Lambda scales by instances, so each keeps a small pool; the proxy multiplexes them.
    fn.addEnvironment({ DATABASE_POOL_MAX: '2', DATABASE_NAME });
    if (name === topology.migrator) {
      this.secret.grantRead(fn.role);
      fn.addEnvironment({
        DATABASE_SECRET_ARN: this.secret.secretArn,
        // The instance's certificate chains to the RDS CA, which Lambda's Node.js runtimes ship in this
        // file but no longer load by default: verify the chain and the host name against it.
        ...(this.instance
          ? { DATABASE_SSL: 'verify-full', NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' }
          : { DATABASE_SSL: 'disable' }),
      });
      return;
    }
    const role = names.databaseRole(name);
    if (!this.proxy) {
      this.secret.grantRead(fn.role);
      fn.addEnvironment({
        DATABASE_SECRET_ARN: this.secret.secretArn,
        DATABASE_USER: role,
        DATABASE_SSL: 'disable',
        DATABASE_PREPARE: 'true',
      });
      return;
    }
    this.proxy.grantConnect(fn.role, role);
    this.proxyRole!.addToPolicy(
      new iam.PolicyStatement({
        actions: ['rds-db:connect'],
        resources: [
          Stack.of(this).formatArn({
            service: 'rds-db',
            resource: 'dbuser',
            resourceName: `${this.instance!.instanceResourceId}/${role}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    fn.addEnvironment({
      DATABASE_USER: role,
      DATABASE_HOST: this.proxy.endpoint,
      // RDS Proxy presents an ACM certificate chaining to Amazon Root CA 1, which is in Node's default CA
      // store: verify the chain and the host name. Named prepared statements would pin proxy connections.
      DATABASE_SSL: 'verify-full',
      DATABASE_PREPARE: 'false',
    });
  }

  private createRds(network: Network) {
    const prod = this.config.stage === 'prod';
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
    const instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: network.vpc,
      description: 'PostgreSQL: reachable from RDS Proxy and the master secret holders only',
      allowAllOutbound: false,
    });
    const ownerSecurityGroup = new ec2.SecurityGroup(this, 'OwnerSecurityGroup', {
      vpc: network.vpc,
      description: 'Holders of the master secret (migrator, rotation): the instance and Secrets Manager',
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
      // The functions' roles sign in with IAM (rds_iam, migrations/0009), through the proxy.
      iamAuthentication: true,
    });
    instance.node.addDependency(postgresLogs);
    this.proxyRole = new iam.Role(this, 'ProxyRole', {
      assumedBy: new iam.ServicePrincipal('rds.amazonaws.com'),
      description: 'RDS Proxy: signs in to the instance with IAM as each function role',
    });
    const proxy = new rds.DatabaseProxy(this, 'Proxy', {
      role: this.proxyRole,
      dbProxyName: names.stageResource(this.config.stage),
      proxyTarget: rds.ProxyTarget.fromInstance(instance),
      // End-to-end IAM: clients sign in with IAM and the proxy signs in to PostgreSQL with IAM as the same
      // user, so it needs no per-role secrets and the master password never passes through it.
      defaultAuthScheme: rds.DefaultAuthScheme.IAM_AUTH,
      vpc: network.vpc,
      vpcSubnets: network.subnets,
      securityGroups: [proxySecurityGroup],
      requireTLS: true,
      idleClientTimeout: Duration.minutes(15),
    });
    instance.connections.allowDefaultPortFrom(proxySecurityGroup, 'RDS Proxy');
    instance.connections.allowDefaultPortFrom(ownerSecurityGroup, 'Master secret holders');
    const secretsManager = network.endpoints.SecretsManager;
    if (!secretsManager) throw new Error('The network has no Secrets Manager endpoint for the rotation');
    secretsManager.connections.allowDefaultPortFrom(ownerSecurityGroup, 'Master secret holders');
    // Nothing but the migrator and this rotation use the master password, and each reads it afresh, so a
    // rotation needs no coordination (docs/RUNBOOK.md, "Database secret rotation").
    instance.addRotationSingleUser({
      automaticallyAfter: Duration.days(ROTATION_DAYS),
      securityGroup: ownerSecurityGroup,
      endpoint: secretsManager,
      vpcSubnets: network.subnets,
    });
    proxy.connections.allowFrom(network.functionsSecurityGroup, ec2.Port.tcp(5432), 'Platform functions');

    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'RDS Proxy for PostgreSQL listens on 5432; the instance admits only the proxy and the master secret ' +
        "holders' security groups inside isolated subnets, so a non-default port adds nothing.",
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
    return { instance, proxy, memoryBytes: instanceClass.memoryBytes, ownerSecurityGroup };
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

import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, names } from '../names';
import type { StageConfig } from '../stage-config';
import type { FunctionSpec } from '../topology';
import { bundlingOptions, PROJECT_ROOT } from './bundling';

export interface PlatformFunctionProps {
  /** Its topology key. */
  name: string;
  spec: FunctionSpec;
  config: StageConfig;
  /** Private subnets to run in (functions that reach the database in AWS). */
  network?: { vpc: ec2.IVpc; subnets: ec2.SubnetSelection; securityGroup: ec2.ISecurityGroup };
  bundling?: Partial<BundlingOptions>;
}

/**
 * One topology function: its own role (no managed policies), its own log group, Powertools
 * environment, X-Ray, and the bundling every function shares.
 */
export class PlatformFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    const { name, spec, config } = props;
    const prod = config.stage === 'prod';
    const aws = config.target === 'aws';

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: prod ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${names.inStage(config.stage, name)}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      functionName: names.inStage(config.stage, name),
      entry: join(PROJECT_ROOT, names.handlerEntry(name)),
      handler: 'handler',
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      projectRoot: PROJECT_ROOT,
      // nodejs22.x is deprecated with Node 22's end of life (April 2027); 24 is supported into 2028.
      runtime: lambda.Runtime.NODEJS_24_X,
      // arm64 on both targets, so LocalStack deploys the template AWS gets; the bundle is portable JS and
      // localstack.yml sets LAMBDA_IGNORE_ARCHITECTURE, so an x86 laptop runs it natively.
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: aws ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      bundling: bundlingOptions(props.bundling),
      vpc: props.network?.vpc,
      vpcSubnets: props.network?.subnets,
      securityGroups: props.network ? [props.network.securityGroup] : undefined,
      // No NODE_OPTIONS=--enable-source-maps: loading the map cost 20-27 ms of every cold start (more than
      // the tracer adds); the map ships beside the bundle, to be turned on while reading a stack trace.
      environment: {
        APP_STAGE: config.stage,
        POWERTOOLS_SERVICE_NAME: names.service(name),
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: prod ? 'INFO' : 'DEBUG',
      },
    });

    // A role we create ourselves gets no AWSLambdaVPCAccessExecutionRole: grant its statements inline.
    if (props.network) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'LambdaVpcNetworkInterfaces',
          actions: [...VPC_NETWORK_INTERFACE_ACTIONS],
          resources: ['*'],
        }),
      );
    }
    if (props.network || aws) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only the actions AWS accepts on no narrower resource: X-Ray PutTraceSegments/PutTelemetryRecords and, ' +
          'for functions in the VPC, the EC2 network interface actions Lambda needs to attach to subnets.',
      });
    }
  }

  /** Adds variables owned by the construct that grants the matching permission. */
  addEnvironment(vars: Record<string, string>): void {
    for (const [key, value] of Object.entries(vars)) this.function.addEnvironment(key, value);
  }
}

/** What AWSLambdaVPCAccessExecutionRole allows, inline; EC2 does not scope these to a resource. */
export const VPC_NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

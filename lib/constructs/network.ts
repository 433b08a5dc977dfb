import { type CfnResource, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StageConfig } from '../stage-config';

/**
 * Private isolated subnets only: no NAT, no internet route. The functions reach the AWS services
 * they call through interface endpoints, and the database never leaves these subnets.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  /** Carried by every function that reaches the database; the proxy admits exactly this group. */
  readonly functionsSecurityGroup: ec2.SecurityGroup;
  /** The interface endpoints, by service: a construct whose own security group calls one allows it here. */
  readonly endpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const prod = props.config.stage === 'prod';
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      // The stage's AZs (PaymentsStack.availabilityZones): 3 in prod, 2 in dev, unless context names them.
      availabilityZones: Stack.of(this).availabilityZones,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Nothing uses the default security group; strip its rules (a custom resource CDK provides).
      restrictDefaultSecurityGroup: true,
    });
    this.retainDefaultSecurityGroupProviderLogs(prod);
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: prod ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    this.functionsSecurityGroup = new ec2.SecurityGroup(this, 'Functions', {
      vpc: this.vpc,
      description: 'Lambda functions that reach the database',
      allowAllOutbound: true,
    });
    const endpoints = {
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      EventBridge: ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE,
      Sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
    };
    for (const [name, service] of Object.entries(endpoints)) {
      const endpoint = this.vpc.addInterfaceEndpoint(name, { service, subnets: this.subnets, open: false });
      this.endpoints[name] = endpoint;
      endpoint.connections.allowFrom(
        this.functionsSecurityGroup,
        ec2.Port.tcp(443),
        'HTTPS from the functions',
      );
    }
  }

  /**
   * The provider of restrictDefaultSecurityGroup is a Lambda function CDK adds to the stack; Lambda would
   * create its log group on first run, without a retention. Create it first, with one. (cdk-nag does not
   * inspect that provider, a plain CfnResource: its role has AWSLambdaBasicExecutionRole and may change
   * this VPC's default security group only.)
   */
  private retainDefaultSecurityGroupProviderLogs(prod: boolean): void {
    const provider = Stack.of(this).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    const handler = provider?.node.tryFindChild('Handler') as CfnResource | undefined;
    const restriction = this.vpc.node.tryFindChild('RestrictDefaultSecurityGroupCustomResource');
    if (!handler || !restriction) {
      throw new Error('aws-cdk-lib no longer builds restrictDefaultSecurityGroup as this construct expects');
    }
    const logGroup = new logs.LogGroup(this, 'DefaultSecurityGroupProviderLogs', {
      logGroupName: Fn.join('', ['/aws/lambda/', handler.ref]),
      retention: prod ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    restriction.node.addDependency(logGroup);
  }
}

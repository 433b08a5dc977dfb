import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { names } from '../names';
import {
  RATE_LIMIT_WINDOW_SECONDS,
  RATE_LIMITED,
  type RateLimits,
  routePathPattern,
  tokenRuleExempt,
} from '../rate-limits';
import type { StageConfig } from '../stage-config';
import type { RouteSpec } from '../topology';
import { addGatewayResponses } from './gateway-responses';
import type { PlatformFunction } from './platform-function';

export interface PaymentsApiProps {
  config: StageConfig;
  routes: readonly RouteSpec[];
  functions: Record<string, PlatformFunction>;
  authorizer: PlatformFunction;
}

/**
 * The REST API: one resource and method per topology route, proxy integration, the JWT TOKEN
 * authorizer, stage throttling, JSON access logs, gateway responses in our error shape, and the WAF
 * web ACL with the rate limits (on by default in prod).
 */
export class PaymentsApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;
  readonly executionLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PaymentsApiProps) {
    super(scope, id);
    const { config } = props;
    const prod = config.stage === 'prod';
    const logRetention = {
      retention: prod ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    };
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', logRetention);
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: names.stageResource(config.stage),
      description: 'Payments platform API',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Execution logging needs API Gateway's account-level role; it is shared, so it outlives the stack.
      ...(config.target === 'aws'
        ? { cloudWatchRole: true, cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN }
        : { cloudWatchRole: false }),
      deployOptions: {
        stageName: config.stage,
        throttlingRateLimit: prod ? 500 : 50,
        throttlingBurstLimit: prod ? 1000 : 100,
        tracingEnabled: config.target === 'aws',
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });
    addGatewayResponses(this.api);
    // Execution logs (loggingLevel ERROR) go to a group API Gateway names after the API and stage, and
    // creates without a retention on first write unless it exists: create it first, with ours.
    this.executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${config.stage}`,
      ...logRetention,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);

    const authorizer = new apigw.TokenAuthorizer(this, 'Authorizer', {
      handler: props.authorizer.function,
      identitySource: apigw.IdentitySource.header('Authorization'),
      // The authorizer allows the whole stage, so its decision may be cached per token.
      resultsCacheTtl: Duration.minutes(5),
    });
    const integrations = new Map<string, apigw.LambdaIntegration>();
    for (const route of props.routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new apigw.LambdaIntegration(props.functions[route.function]!.function, {
          proxy: true,
          allowTestInvoke: false,
        });
        integrations.set(route.function, integration);
      }
      const method = this.api.root
        .resourceForPath(route.path)
        .addMethod(
          route.method,
          integration,
          route.authorized
            ? { authorizer, authorizationType: apigw.AuthorizationType.CUSTOM }
            : { authorizationType: apigw.AuthorizationType.NONE },
        );
      if (route.authorized) {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason:
            'Authorized by the JWT Lambda authorizer, which accepts any OIDC issuer (docs/architecture.md, "AWS").',
        });
      } else {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by design (health probe); it returns no data.`,
        });
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason: `${route.method} ${route.path} is public by design (health probe).`,
        });
      }
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Every body and parameter is validated by the API function (zod), which answers in the platform error ' +
        'shape with field details; a gateway validator would answer in another shape.',
    });
    if (config.waf) {
      this.attachWaf(config, props.routes, logRetention);
    } else {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          config.stage === 'prod'
            ? 'AWS WAF opted out for this prod deployment (context waf=false); stage throttling applies always.'
            : 'AWS WAF is opt-in outside prod (context waf=true): it costs per ACL and per request; stage throttling applies always.',
      });
    }
    if (config.target === 'aws') {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-level logging role; this AWS managed policy is the documented way to grant it.",
      });
    }
  }

  /**
   * Managed common and known-bad-input rules, a request body size limit, and the rate limits
   * (lib/rate-limits.ts) answering 429 rate_limited with Retry-After; logs without the Authorization header.
   */
  private attachWaf(
    config: StageConfig,
    routes: readonly RouteSpec[],
    logRetention: Pick<logs.LogGroupProps, 'retention' | 'removalPolicy'>,
  ): void {
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const managed = (name: string, priority: number, countOnly: string[] = []) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(countOnly.length
            ? { ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: visibility(name),
    });
    // WAF answers for itself: the platform's error shape, and Retry-After as the whole window (WAF blocks a
    // key until its count over the trailing window falls below the limit).
    const rateLimited = {
      block: {
        customResponse: {
          responseCode: RATE_LIMITED.status,
          customResponseBodyKey: RATE_LIMITED.code,
          responseHeaders: [{ name: 'Retry-After', value: String(RATE_LIMIT_WINDOW_SECONDS) }],
        },
      },
    };
    const rateRule = (
      name: string,
      priority: number,
      statement: wafv2.CfnWebACL.RateBasedStatementProperty,
    ) => ({
      name,
      priority,
      action: rateLimited,
      statement: { rateBasedStatement: { evaluationWindowSec: RATE_LIMIT_WINDOW_SECONDS, ...statement } },
      visibilityConfig: visibility(name),
    });
    const limits: RateLimits = config.rateLimits;
    const rateRules = [];
    if (limits.perToken > 0) {
      rateRules.push(
        rateRule('RateLimitPerToken', 3, {
          limit: limits.perToken,
          aggregateKeyType: 'CUSTOM_KEYS',
          customKeys: [
            { header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } },
          ],
          scopeDownStatement: notPublicRoutes(tokenRuleExempt(routes)),
        }),
      );
    }
    if (limits.perIp > 0) {
      rateRules.push(rateRule('RateLimitPerIp', 4, { limit: limits.perIp, aggregateKeyType: 'IP' }));
    }
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('payments-api'),
      customResponseBodies: {
        [RATE_LIMITED.code]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({ error: { code: RATE_LIMITED.code, message: RATE_LIMITED.message } }),
        },
      },
      rules: [
        // SizeRestrictions_BODY blocks bodies over 8 KB with a bare 403, but a valid POST /events carries up
        // to 8 KiB of payload plus its message: the API enforces its own limit (MAX_BODY_BYTES, 16 KiB, a
        // 413 in the error shape), so that rule only counts.
        managed('AWSManagedRulesCommonRuleSet', 1, ['SizeRestrictions_BODY']),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
        ...rateRules,
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: acl.attrArn,
    });
    const wafLogs = new logs.LogGroup(this, 'WafLogs', {
      logGroupName: names.wafLogGroup(config.stage),
      ...logRetention,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.attrArn,
      logDestinationConfigs: [wafLogs.logGroupArn],
      // A bearer token is a credential: never in a log.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
  }
}

/** Every request but those to the given routes (their paths as regexes, lib/rate-limits.ts). */
function notPublicRoutes(exempt: readonly RouteSpec[]): wafv2.CfnWebACL.StatementProperty | undefined {
  const patterns = [...new Set(exempt.map((r) => routePathPattern(r.path)))];
  if (patterns.length === 0) return undefined;
  const matches = (regexString: string): wafv2.CfnWebACL.StatementProperty => ({
    regexMatchStatement: {
      fieldToMatch: { uriPath: {} },
      regexString,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  });
  const statement =
    patterns.length === 1 ? matches(patterns[0]!) : { orStatement: { statements: patterns.map(matches) } };
  return { notStatement: { statement } };
}

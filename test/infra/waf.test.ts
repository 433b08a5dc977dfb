import type { Template } from 'aws-cdk-lib/assertions';
import { names } from '../../lib/names';
import {
  DEFAULT_RATE_LIMITS,
  RATE_LIMIT_WINDOW_SECONDS,
  routePathPattern,
  tokenRuleExempt,
} from '../../lib/rate-limits';
import { topology } from '../../lib/topology';
import { PROD, type Resource, resourcesOfType, synthesize } from './support/synth';

// The WAF web ACL in front of the API: on in prod unless opted out, with the rate limits answering 429 in
// the platform's error shape (docs/architecture.md, "Rate limits").

const templates = {} as Record<'prod' | 'prodOptedOut' | 'prodTuned' | 'dev', Template>;
beforeAll(() => {
  templates.prod = synthesize(PROD).template;
  templates.prodOptedOut = synthesize({ ...PROD, waf: 'false' }).template;
  templates.prodTuned = synthesize({
    ...PROD,
    rateLimitPerTokenPerMinute: '600',
    rateLimitPerIpPerMinute: '0',
  }).template;
  templates.dev = synthesize({ stage: 'dev', target: 'aws' }).template;
});

interface RateRule {
  Name: string;
  Action: { Block: { CustomResponse: Record<string, unknown> } };
  Statement: { RateBasedStatement: Record<string, unknown> & { ScopeDownStatement?: unknown } };
}

function webAcl(template: Template): Resource {
  const acls = Object.values(resourcesOfType(template, 'AWS::WAFv2::WebACL'));
  expect(acls).toHaveLength(1);
  return acls[0]!;
}

function rateRules(template: Template): Record<string, RateRule> {
  const rules = webAcl(template).Properties!.Rules as RateRule[];
  return Object.fromEntries(rules.filter((r) => r.Statement.RateBasedStatement).map((r) => [r.Name, r]));
}

const RATE_LIMITED_RESPONSE = {
  ResponseCode: 429,
  CustomResponseBodyKey: 'rate_limited',
  ResponseHeaders: [{ Name: 'Retry-After', Value: String(RATE_LIMIT_WINDOW_SECONDS) }],
};

describe('prod (default)', () => {
  it('attaches a web ACL to the API stage', () => {
    webAcl(templates.prod);
    expect(Object.keys(resourcesOfType(templates.prod, 'AWS::WAFv2::WebACLAssociation'))).toHaveLength(1);
  });

  it('limits per token (the Authorization header) on every route but the public ones', () => {
    const rule = rateRules(templates.prod).RateLimitPerToken!;
    // The public routes (the health probe, the API reference) are left out by their path patterns.
    const exempt = (
      rule.Statement.RateBasedStatement.ScopeDownStatement as {
        NotStatement: { Statement: Record<string, unknown> };
      }
    ).NotStatement.Statement;
    const regexes = JSON.stringify(exempt).match(/"RegexString":"[^"]*"/g) ?? [];
    expect(regexes.map((r) => JSON.parse(`{${r}}`).RegexString).sort()).toEqual(
      [...new Set(tokenRuleExempt(topology.routes).map((r) => routePathPattern(r.path)))].sort(),
    );
    expect(regexes).toContain('"RegexString":"/health$"');
    expect(rule.Statement.RateBasedStatement).toMatchObject({
      Limit: DEFAULT_RATE_LIMITS.perToken,
      EvaluationWindowSec: 60,
      AggregateKeyType: 'CUSTOM_KEYS',
      CustomKeys: [
        { Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
      ],
    });
    expect(rule.Action.Block.CustomResponse).toEqual(RATE_LIMITED_RESPONSE);
  });

  it('limits per client IP on every request', () => {
    const rule = rateRules(templates.prod).RateLimitPerIp!;
    expect(rule.Statement.RateBasedStatement).toEqual({
      Limit: DEFAULT_RATE_LIMITS.perIp,
      EvaluationWindowSec: 60,
      AggregateKeyType: 'IP',
    });
    expect(rule.Action.Block.CustomResponse).toEqual(RATE_LIMITED_RESPONSE);
  });

  it('answers in the platform error shape', () => {
    const bodies = webAcl(templates.prod).Properties!.CustomResponseBodies as Record<
      string,
      { ContentType: string; Content: string }
    >;
    expect(bodies.rate_limited!.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(bodies.rate_limited!.Content)).toEqual({
      error: { code: 'rate_limited', message: expect.stringMatching(/Retry-After/) },
    });
  });

  it('logs to its own log group, with a retention, and never the Authorization header', () => {
    const [config] = Object.values(resourcesOfType(templates.prod, 'AWS::WAFv2::LoggingConfiguration'));
    expect(config!.Properties!.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
    const groups = Object.values(resourcesOfType(templates.prod, 'AWS::Logs::LogGroup')).filter(
      (g) => g.Properties!.LogGroupName === names.wafLogGroup('prod'),
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]!.Properties!.RetentionInDays).toBe(90);
  });
});

describe('context', () => {
  it('lets the API, not the common rule set, judge body size (a valid POST /events can exceed 8 KB)', () => {
    const rules = webAcl(templates.prod).Properties!.Rules as {
      Name: string;
      Statement: { ManagedRuleGroupStatement?: { RuleActionOverrides?: unknown } };
    }[];
    const common = rules.find((r) => r.Name === 'AWSManagedRulesCommonRuleSet');
    expect(common?.Statement.ManagedRuleGroupStatement?.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
  });

  it('waf=false opts prod out', () => {
    expect(resourcesOfType(templates.prodOptedOut, 'AWS::WAFv2::WebACL')).toEqual({});
    expect(resourcesOfType(templates.prodOptedOut, 'AWS::WAFv2::LoggingConfiguration')).toEqual({});
  });

  it('dev has no WAF unless asked for', () => {
    expect(resourcesOfType(templates.dev, 'AWS::WAFv2::WebACL')).toEqual({});
  });

  it('sets each limit, and 0 leaves its rule out', () => {
    const rules = rateRules(templates.prodTuned);
    expect(Object.keys(rules)).toEqual(['RateLimitPerToken']);
    expect(rules.RateLimitPerToken!.Statement.RateBasedStatement.Limit).toBe(600);
  });
});

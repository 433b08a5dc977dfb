import { App } from 'aws-cdk-lib';
import { readStageConfig } from '../../lib/stage-config';

// What the stack reads from context, and what it refuses (no synthesis needed).

const JWKS_URL = 'https://issuer.example.com/.well-known/jwks.json';
const ISSUER = 'https://issuer.example.com/';
const read = (context: Record<string, string>) => readStageConfig(new App({ context }).node);

describe('token verification by stage', () => {
  it('prod refuses to synthesize without jwksUrl, and says what to pass', () => {
    expect(() => read({ stage: 'prod' })).toThrow(/stage=prod needs context jwksUrl=https:\/\//);
  });

  it('prod refuses a JWKS URL that is not https', () => {
    expect(() => read({ stage: 'prod', jwksUrl: 'http://issuer.example.com/jwks.json' })).toThrow(/https/);
  });

  it('prod needs the issuer of those tokens too (the default is the dev key’s, which would refuse them all)', () => {
    expect(() => read({ stage: 'prod', jwksUrl: JWKS_URL })).toThrow(/stage=prod needs context jwtIssuer=/);
  });

  it('prod verifies tokens against the issuer’s JWKS', () => {
    expect(read({ stage: 'prod', jwksUrl: JWKS_URL, jwtIssuer: ISSUER }).jwt).toMatchObject({
      jwksUrl: JWKS_URL,
      issuer: ISSUER,
    });
  });

  it('dev may use the generated HS256 key, whose tokens it issues as payments-local', () => {
    expect(read({ stage: 'dev' }).jwt).toMatchObject({ jwksUrl: undefined, issuer: 'payments-local' });
  });
});

describe('WAF and rate limits', () => {
  const PROD = { stage: 'prod', jwksUrl: JWKS_URL, jwtIssuer: ISSUER };

  it('WAF is on in prod unless opted out, and opt-in in dev', () => {
    expect(read(PROD).waf).toBe(true);
    expect(read({ ...PROD, waf: 'false' }).waf).toBe(false);
    expect(read({ stage: 'dev' }).waf).toBe(false);
    expect(read({ stage: 'dev', waf: 'true' }).waf).toBe(true);
    expect(read({ ...PROD, target: 'localstack' }).waf).toBe(false);
  });

  it('refuses a waf value that is not true or false', () => {
    expect(() => read({ ...PROD, waf: 'off' })).toThrow(/Context waf must be true or false/);
  });

  it('reads each limit, and refuses one WAF cannot take', () => {
    expect(
      read({ stage: 'dev', rateLimitPerTokenPerMinute: '600', rateLimitPerIpPerMinute: '0' }).rateLimits,
    ).toEqual({
      perToken: 600,
      perIp: 0,
    });
    expect(() => read({ stage: 'dev', rateLimitPerTokenPerMinute: '5' })).toThrow(
      /rateLimitPerTokenPerMinute must be 0 \(off\) or from 10/,
    );
    expect(() => read({ stage: 'dev', rateLimitPerIpPerMinute: 'lots' })).toThrow(
      /rateLimitPerIpPerMinute must be a whole number/,
    );
  });
});

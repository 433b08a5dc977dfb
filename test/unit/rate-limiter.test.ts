import { ERROR_STATUS } from '../../lambdas/api/errors';
import { RATE_LIMITED, routePathPattern } from '../../lib/rate-limits';
import { RateLimiter } from '../../local/rate-limiter';

// The local emulation of the WAF rate rules: a count per key per window (local/rate-limiter.ts).

function limiter(limits: { perToken: number; perIp: number }) {
  let now = 1_000_000;
  const rl = new RateLimiter(limits, 60_000, () => now);
  return { rl, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter', () => {
  it('refuses a token past its limit with the seconds left in its window, and not another token', () => {
    const { rl, advance } = limiter({ perToken: 3, perIp: 0 });
    for (let i = 0; i < 3; i++) expect(rl.refuse({ token: 'Bearer a', ip: '1.1.1.1' })).toBeUndefined();
    advance(20_500);
    expect(rl.refuse({ token: 'Bearer a', ip: '1.1.1.1' })).toBe(40);
    expect(rl.refuse({ token: 'Bearer b', ip: '1.1.1.1' })).toBeUndefined();
  });

  it('lets the key in again once its window has ended', () => {
    const { rl, advance } = limiter({ perToken: 1, perIp: 0 });
    expect(rl.refuse({ token: 't', ip: 'x' })).toBeUndefined();
    expect(rl.refuse({ token: 't', ip: 'x' })).toBe(60);
    advance(60_000);
    expect(rl.refuse({ token: 't', ip: 'x' })).toBeUndefined();
  });

  it('counts per IP whatever the token, and a request without one', () => {
    const { rl } = limiter({ perToken: 100, perIp: 2 });
    expect(rl.refuse({ token: 'a', ip: '10.0.0.1' })).toBeUndefined();
    expect(rl.refuse({ ip: '10.0.0.1' })).toBeUndefined();
    expect(rl.refuse({ token: 'b', ip: '10.0.0.1' })).toBe(60);
    expect(rl.refuse({ token: 'b', ip: '10.0.0.2' })).toBeUndefined();
  });

  it('a limit of 0 switches its rule off', () => {
    const { rl } = limiter({ perToken: 0, perIp: 0 });
    for (let i = 0; i < 1000; i++) expect(rl.refuse({ token: 't', ip: 'x' })).toBeUndefined();
  });

  it('a request the token rule refused is not counted by the IP rule', () => {
    const { rl } = limiter({ perToken: 1, perIp: 3 });
    rl.refuse({ token: 't', ip: 'x' });
    rl.refuse({ token: 't', ip: 'x' }); // refused by the token rule
    rl.refuse({ token: 't', ip: 'x' }); // refused by the token rule
    expect(rl.refuse({ token: 'u', ip: 'x' })).toBeUndefined(); // the IP's second counted request
  });
});

describe('the rate-limited answer', () => {
  it('is a code of the one error table, with its status', () => {
    expect(ERROR_STATUS[RATE_LIMITED.code]).toBe(RATE_LIMITED.status);
  });
});

describe('routePathPattern (the WAF scope-down and the local gateway)', () => {
  it('matches a route path at the end, with or without the stage prefix, a parameter as one segment', () => {
    const health = new RegExp(routePathPattern('/health'));
    expect(health.test('/prod/health')).toBe(true);
    expect(health.test('/health')).toBe(true);
    expect(health.test('/healthz')).toBe(false);
    const asset = new RegExp(routePathPattern('/docs/{asset}'));
    expect(asset.test('/prod/docs/swagger-ui.css')).toBe(true);
    expect(asset.test('/docs/a/b')).toBe(false);
  });
});

import { judge } from '../../local/fuzz/run';

// The fuzz run's verdict on a rate limit's answer (local/fuzz/run.ts): a 429 rate_limited is valid, with
// Retry-After and without a correlation id (WAF cannot echo one); a 5xx never is.

const req = { target: 'GET /payments', method: 'GET', path: '/payments', headers: {} };
const body = JSON.stringify({ error: { code: 'rate_limited', message: 'Too many requests' } });
const json = { 'content-type': 'application/json' };

describe('fuzz judge and rate limits', () => {
  it('accepts a 429 rate_limited with Retry-After', () => {
    expect(judge(req, { status: 429, headers: { ...json, 'retry-after': '12' }, body }, [])).toBeUndefined();
  });

  it('refuses a 429 rate_limited without Retry-After', () => {
    expect(judge(req, { status: 429, headers: json, body }, [])).toBe('429 without Retry-After');
  });

  it('accepts a HEAD 429 with Retry-After, whose answer has no body to name its code', () => {
    const head = { ...req, method: 'HEAD' };
    const headers = { ...json, 'retry-after': '3' };
    expect(judge(head, { status: 429, headers, body: '' }, [])).toBeUndefined();
    expect(judge(head, { status: 429, headers: json, body: '' }, [])).toBe('429 without Retry-After');
  });

  it('still refuses any 5xx', () => {
    expect(judge(req, { status: 502, headers: { ...json, 'retry-after': '1' }, body }, [])).toMatch(
      /server error 502/,
    );
  });
});

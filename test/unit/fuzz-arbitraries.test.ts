import fc from 'fast-check';
import { type FuzzContext, fuzzRequest } from '../../local/fuzz/arbitraries';

const ctx: FuzzContext = {
  token: 'aaa.bbb.ccc',
  attackerId: 'attacker-1',
  badTokens: { expired: 'ddd.eee.fff' },
  victimId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  victimPaymentIds: ['7c9e6679-7425-40de-944b-e07fc1f90ae7'],
  victimEventIds: ['9b2f1c3a-1d2e-4f5a-8b6c-7d8e9f0a1b2c'],
};

describe('fuzz arbitraries', () => {
  // The fuzz run generates tens of thousands of cases: a generator that throws on a rare value (String() of a
  // null-prototype object did, about once in 4,000) stops the whole run instead of testing the API.
  it('generate well-formed requests, rare values included', () => {
    for (const seed of [1, 2, 3, 4, 5, 1788229283]) {
      for (const req of fc.sample(fuzzRequest(ctx), { numRuns: 5000, seed })) {
        expect(typeof req.method).toBe('string');
        expect(req.path.startsWith('/') || req.target.startsWith('other')).toBe(true);
        for (const value of Object.values(req.headers)) expect(typeof value).toBe('string');
        if (req.body !== undefined) expect(Buffer.isBuffer(req.body)).toBe(true);
      }
    }
  });
});

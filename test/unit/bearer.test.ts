import { bearerToken } from '../../lambdas/shared/auth/bearer';

describe('bearerToken', () => {
  const jwt = 'aaa.bbb.ccc';

  it('takes the token after the scheme in any case and after one or more spaces (RFC 6750)', () => {
    for (const header of [`Bearer ${jwt}`, `bearer ${jwt}`, `BEARER ${jwt}`, `Bearer   ${jwt}`]) {
      expect(bearerToken(header)).toBe(jwt);
    }
  });

  it('refuses anything else', () => {
    for (const header of [
      undefined,
      '',
      jwt,
      'Bearer',
      'Bearer ',
      `Basic ${jwt}`,
      `Bearer\t${jwt}`,
      `Bearer ${jwt} `,
      'Bearer aaa.bbb',
      'Bearer a!a.bbb.ccc',
    ]) {
      expect(bearerToken(header)).toBeUndefined();
    }
  });
});

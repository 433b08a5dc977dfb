import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { SignJWT } from 'jose';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
process.env.APP_STAGE = 'local';
process.env.JWT_SECRET = SECRET;
// No DATABASE_URL: the stack gives the authorizer none, and it must start without one.
delete process.env.DATABASE_URL;
delete process.env.DATABASE_SECRET_ARN;

const { handler: authorizer } = await import('../../lambdas/authorizer/handler');
const { lambdaContext } = await import('../support/factories');
const handler = (e: APIGatewayTokenAuthorizerEvent) => authorizer(e, lambdaContext());
const { signDevToken } = await import('../../lambdas/shared/auth/dev-token');
const { REFUSAL_REASONS } = await import('../../lambdas/authorizer/handler');

const methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/payments';
const event = (token: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken: `Bearer ${token}`,
  methodArn,
});
const good = { userId: 'user-1', secret: SECRET, issuer: 'payments-local', audience: 'payments-api' };
const key = new TextEncoder().encode(SECRET);

describe('authorizer', () => {
  it('allows a good token for the whole stage and passes the user id on', async () => {
    const result = await handler(event(await signDevToken(good)));
    expect(result.principalId).toBe('user-1');
    expect(result.context).toEqual({ userId: 'user-1' });
    expect(result.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*/*',
      },
    ]);
  });

  it('tolerates 60 s of clock skew but not more', async () => {
    const within = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u')
      .setIssuer(good.issuer)
      .setAudience(good.audience)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 30)
      .sign(key);
    await expect(handler(event(within))).resolves.toMatchObject({ principalId: 'u' });
  });

  const refused: [string, () => Promise<string>, keyof typeof REFUSAL_REASONS][] = [
    ['an expired token', () => signDevToken({ ...good, expiresInSeconds: -120 }), 'expired'],
    ['a wrong issuer', () => signDevToken({ ...good, issuer: 'evil' }), 'not_for_this_api'],
    ['a wrong audience', () => signDevToken({ ...good, audience: 'other-api' }), 'not_for_this_api'],
    [
      'another secret',
      () => signDevToken({ ...good, secret: 'another-secret-another-secret-0123456789' }),
      'invalid',
    ],
    [
      'alg: none',
      async () => {
        const body = Buffer.from(
          JSON.stringify({ sub: 'u', iss: good.issuer, aud: good.audience, exp: Date.now() / 1000 + 600 }),
        ).toString('base64url');
        return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`;
      },
      'invalid',
    ],
    [
      'a tampered payload',
      async () => {
        const [h, , s] = (await signDevToken(good)).split('.');
        const forged = Buffer.from(
          JSON.stringify({
            sub: 'admin',
            iss: good.issuer,
            aud: good.audience,
            exp: Date.now() / 1000 + 600,
          }),
        ).toString('base64url');
        return `${h}.${forged}.${s}`;
      },
      'invalid',
    ],
    [
      'a token without exp',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('u')
          .setIssuer(good.issuer)
          .setAudience(good.audience)
          .sign(key),
      'invalid',
    ],
    ['garbage', async () => 'not-a-jwt', 'malformed'],
  ];

  /** A Deny for the whole stage whose context says why (the gateway answers it as a 401). */
  const denial = (reason: keyof typeof REFUSAL_REASONS) => ({
    principalId: 'anonymous',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'execute-api:Invoke',
          Effect: 'Deny',
          Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*/*',
        },
      ],
    },
    context: { reason: REFUSAL_REASONS[reason] },
  });

  it.each(refused)('refuses %s, saying why (%#)', async (_name, token, reason) => {
    await expect(handler(event(await token()))).resolves.toEqual(denial(reason));
  });

  it('says what is wrong without echoing the token', async () => {
    const result = await handler(event(await signDevToken({ ...good, expiresInSeconds: -120 })));
    expect(result.context?.reason).toBe('The token has expired');
    expect(JSON.stringify(result)).not.toContain(good.secret);
  });

  it('refuses a missing or non-Bearer header as malformed', async () => {
    await expect(handler({ type: 'TOKEN', authorizationToken: '', methodArn })).resolves.toEqual(
      denial('malformed'),
    );
    const token = await signDevToken(good);
    await expect(
      handler({ type: 'TOKEN', authorizationToken: `Basic ${token}`, methodArn }),
    ).resolves.toEqual(denial('malformed'));
  });

  it('accepts the scheme name in any case (RFC 6750)', async () => {
    const token = await signDevToken(good);
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      const result = await handler({ type: 'TOKEN', authorizationToken: `${scheme} ${token}`, methodArn });
      expect(result.principalId).toBe('user-1');
    }
  });

  it('gives a UUID subject in its canonical (lower case) form', async () => {
    const id = '0F8FAD5B-D9CB-469F-A165-70867728950E';
    const result = await handler(event(await signDevToken({ ...good, userId: id })));
    expect(result.context).toEqual({ userId: id.toLowerCase() });
  });
});

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

  const refused: [string, () => Promise<string>][] = [
    ['an expired token', () => signDevToken({ ...good, expiresInSeconds: -120 })],
    ['a wrong issuer', () => signDevToken({ ...good, issuer: 'evil' })],
    ['a wrong audience', () => signDevToken({ ...good, audience: 'other-api' })],
    ['another secret', () => signDevToken({ ...good, secret: 'another-secret-another-secret-0123456789' })],
    [
      'alg: none',
      async () => {
        const body = Buffer.from(
          JSON.stringify({ sub: 'u', iss: good.issuer, aud: good.audience, exp: Date.now() / 1000 + 600 }),
        ).toString('base64url');
        return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`;
      },
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
    ],
    ['garbage', async () => 'not-a-jwt'],
  ];

  it.each(refused)('refuses %s with Unauthorized (401)', async (_name, token) => {
    await expect(handler(event(await token()))).rejects.toThrow('Unauthorized');
  });

  it('refuses a missing or non-Bearer header', async () => {
    await expect(handler({ type: 'TOKEN', authorizationToken: '', methodArn })).rejects.toThrow(
      'Unauthorized',
    );
    const token = await signDevToken(good);
    await expect(handler({ type: 'TOKEN', authorizationToken: `Basic ${token}`, methodArn })).rejects.toThrow(
      'Unauthorized',
    );
  });
});

import { SignJWT } from 'jose';

/** Signs an HS256 token the way a local or test identity provider would. */
export async function signDevToken(input: {
  userId: string;
  secret: string;
  issuer: string;
  audience: string;
  expiresInSeconds?: number;
}): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(input.userId)
    .setIssuer(input.issuer)
    .setAudience(input.audience)
    .setIssuedAt()
    .setExpirationTime(`${input.expiresInSeconds ?? 3600}s`)
    .sign(new TextEncoder().encode(input.secret));
}

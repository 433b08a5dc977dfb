import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { readSecret } from '../adapters/secrets';
import type { TokenConfig } from '../config';
import { canonicalId } from '../domain/ids';

export interface Principal {
  userId: string;
}

/**
 * Why a token was refused, as a client may be told: enough to fix its own mistake (renew, use the right
 * identity provider), nothing about keys or which check of a forged token failed.
 */
export type TokenRefusal = 'expired' | 'not_for_this_api' | 'invalid';

/** A refused token; `message` (the detail) is only logged, `refusal` may be shown. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
  constructor(
    message: string,
    readonly refusal: TokenRefusal = 'invalid',
  ) {
    super(message);
  }
}

function refusalOf(error: unknown): TokenRefusal {
  const { code, claim } = error as { code?: string; claim?: string };
  if (code === 'ERR_JWT_EXPIRED') return 'expired';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (claim === 'iss' || claim === 'aud'))
    return 'not_for_this_api';
  return 'invalid';
}

export type TokenVerifier = (token: string) => Promise<Principal>;

const CLOCK_SKEW_SECONDS = 60;

/**
 * Verifies a bearer JWT: HS256 with a shared secret (Secrets Manager in AWS, config locally),
 * or RS256/ES256 against an OIDC issuer's JWKS. Issuer and audience are always checked;
 * `alg: none` and any algorithm not listed are refused by jose.
 */
export function createTokenVerifier(config: TokenConfig): TokenVerifier {
  let key: Promise<Uint8Array | JWTVerifyGetKey> | undefined;
  const algorithms = config.JWT_JWKS_URL ? ['RS256', 'ES256'] : ['HS256'];
  const resolveKey = () => {
    key ??= (async () => {
      if (config.JWT_JWKS_URL) return createRemoteJWKSet(new URL(config.JWT_JWKS_URL));
      if (config.JWT_SECRET_ARN) return new TextEncoder().encode(await readSecret(config.JWT_SECRET_ARN));
      if (config.JWT_SECRET) return new TextEncoder().encode(config.JWT_SECRET);
      throw new Error('No JWT key configured: set JWT_JWKS_URL or JWT_SECRET_ARN');
    })();
    key.catch(() => {
      key = undefined;
    });
    return key;
  };

  return async (token) => {
    const k = await resolveKey();
    try {
      const options = {
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        algorithms,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['sub', 'exp'],
      };
      const { payload } =
        k instanceof Uint8Array ? await jwtVerify(token, k, options) : await jwtVerify(token, k, options);
      if (!payload.sub || payload.sub.length > 128) throw new InvalidTokenError('bad subject');
      return { userId: canonicalId(payload.sub) };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      throw new InvalidTokenError((error as Error).message, refusalOf(error));
    }
  };
}

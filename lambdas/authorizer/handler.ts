import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { bearerToken } from '../shared/auth/bearer';
import { createTokenVerifier, InvalidTokenError, type TokenRefusal } from '../shared/auth/token-verifier';
import { loadConfig, tokenConfigSchema } from '../shared/config';
import { logger, observed } from '../shared/observability';

const verify = createTokenVerifier(loadConfig(tokenConfigSchema));

/** Allows every route of the stage, so API Gateway may cache the decision per token. */
function stageWildcard(methodArn: string): string {
  const [arn = '', stage = '*'] = methodArn.split('/');
  return `${arn}/${stage}/*/*`;
}

/** What the client is told (lib/gateway-errors.ts, ACCESS_DENIED): fixed wording, never token content. */
export const REFUSAL_REASONS: Record<TokenRefusal | 'malformed', string> = {
  malformed: 'The Authorization header must be: Bearer <token>',
  expired: 'The token has expired',
  not_for_this_api: 'The token was not issued for this API (issuer or audience)',
  invalid: 'The token is not valid',
};

/** A Deny with the reason in its context: the ACCESS_DENIED gateway response answers it as a 401. */
function refuse(reason: keyof typeof REFUSAL_REASONS, methodArn: string): APIGatewayAuthorizerResult {
  return {
    principalId: 'anonymous',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: stageWildcard(methodArn) }],
    },
    context: { reason: REFUSAL_REASONS[reason] },
  };
}

/** REST API TOKEN authorizer: a valid JWT becomes the principal; anything else is a 401 saying why. */
export const handler = observed(
  async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const token = bearerToken(event.authorizationToken);
    if (!token) return refuse('malformed', event.methodArn);
    try {
      const principal = await verify(token);
      return {
        principalId: principal.userId,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) },
          ],
        },
        context: { userId: principal.userId },
      };
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        logger.info('Token refused', { reason: error.message, refusal: error.refusal });
        return refuse(error.refusal, event.methodArn);
      }
      throw error;
    }
  },
);

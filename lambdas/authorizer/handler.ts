import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { createTokenVerifier, InvalidTokenError } from '../shared/auth/token-verifier';
import { loadConfig, tokenConfigSchema } from '../shared/config';
import { logger, observed } from '../shared/observability';

const verify = createTokenVerifier(loadConfig(tokenConfigSchema));

/** Allows every route of the stage, so API Gateway may cache the decision per token. */
function stageWildcard(methodArn: string): string {
  const [arn = '', stage = '*'] = methodArn.split('/');
  return `${arn}/${stage}/*/*`;
}

/** REST API TOKEN authorizer: a valid JWT becomes the principal; anything else is a 401. */
export const handler = observed(
  async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const match = /^Bearer ([\w-]+\.[\w-]*\.[\w-]*)$/.exec(event.authorizationToken ?? '');
    if (!match?.[1]) throw new Error('Unauthorized');
    try {
      const principal = await verify(match[1]);
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
        logger.info('Token refused', { reason: error.message });
        throw new Error('Unauthorized'); // API Gateway's documented way to answer 401
      }
      throw error;
    }
  },
);

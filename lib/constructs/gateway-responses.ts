import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { CORRELATION_HEADER, GATEWAY_ERRORS, type GatewayErrorType } from '../gateway-errors';

/**
 * Answers API Gateway gives on its own, in the platform's error shape, so a client sees one shape
 * whether the gateway or the function answered (docs/architecture.md, "Wire contract"). The texts are
 * lib/gateway-errors.ts's, which the local emulation answers with too.
 */
export function addGatewayResponses(api: apigw.RestApi): void {
  for (const [type, answer] of Object.entries(GATEWAY_ERRORS) as [GatewayErrorType, GatewayErrors][]) {
    // The authorizer's reason is its own fixed wording (never token content), safe to put in the JSON.
    const message =
      typeof answer.message === 'string'
        ? answer.message
        : `$context.authorizer.${answer.message.fromAuthorizer}`;
    api.addGatewayResponse(`Response${type}`, {
      type: apigw.ResponseType.of(type),
      statusCode: 'status' in answer ? String(answer.status) : undefined,
      // Gateway responses can only echo request values: the client's correlation id, when it sent one.
      responseHeaders: { [CORRELATION_HEADER]: `method.request.header.${CORRELATION_HEADER}` },
      templates: {
        'application/json': JSON.stringify({ error: { code: answer.code, message } }),
      },
    });
  }
}

type GatewayErrors = (typeof GATEWAY_ERRORS)[GatewayErrorType];

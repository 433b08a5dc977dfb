import * as apigw from 'aws-cdk-lib/aws-apigateway';

/**
 * Answers API Gateway gives on its own, in the platform's error shape, so a client sees one shape
 * whether the gateway or the function answered (docs/architecture.md, "Wire contract").
 */
export const GATEWAY_RESPONSES: ReadonlyArray<{
  type: apigw.ResponseType;
  statusCode?: string;
  code: string;
  message: string;
}> = [
  {
    type: apigw.ResponseType.UNAUTHORIZED,
    statusCode: '401',
    code: 'unauthorized',
    message: 'A valid bearer token is required',
  },
  { type: apigw.ResponseType.ACCESS_DENIED, statusCode: '403', code: 'forbidden', message: 'Not allowed' },
  // REST APIs answer an unknown path with 403 "Missing Authentication Token"; it is a 404 to a client.
  {
    type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    statusCode: '404',
    code: 'not_found',
    message: 'No such route',
  },
  {
    type: apigw.ResponseType.REQUEST_TOO_LARGE,
    statusCode: '413',
    code: 'payload_too_large',
    message: 'Request body too large',
  },
  {
    type: apigw.ResponseType.THROTTLED,
    statusCode: '429',
    code: 'throttled',
    message: 'Too many requests; retry later',
  },
  {
    type: apigw.ResponseType.QUOTA_EXCEEDED,
    statusCode: '429',
    code: 'throttled',
    message: 'Quota exceeded; retry later',
  },
  {
    type: apigw.ResponseType.BAD_REQUEST_BODY,
    statusCode: '400',
    code: 'validation_error',
    message: 'Invalid request body',
  },
  {
    type: apigw.ResponseType.BAD_REQUEST_PARAMETERS,
    statusCode: '400',
    code: 'validation_error',
    message: 'Invalid request parameters',
  },
  {
    type: apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE,
    statusCode: '415',
    code: 'unsupported_media_type',
    message: 'Unsupported media type',
  },
  { type: apigw.ResponseType.WAF_FILTERED, statusCode: '403', code: 'forbidden', message: 'Request blocked' },
  { type: apigw.ResponseType.DEFAULT_4XX, code: 'bad_request', message: 'The request could not be served' },
  { type: apigw.ResponseType.DEFAULT_5XX, code: 'internal_error', message: 'Internal error' },
];

export function addGatewayResponses(api: apigw.RestApi): void {
  for (const response of GATEWAY_RESPONSES) {
    api.addGatewayResponse(`Response${response.type.responseType}`, {
      type: response.type,
      statusCode: response.statusCode,
      templates: {
        'application/json': JSON.stringify({ error: { code: response.code, message: response.message } }),
      },
    });
  }
}

// What API Gateway answers on its own, before or instead of the API function, in the platform's error
// shape (docs/architecture.md, "Wire contract"). One table, one text per answer: the stack's gateway
// responses (lib/constructs/gateway-responses.ts) and the local gateway emulation (local/api-gateway.ts)
// both read it, so a client sees the same answer from either. Keys are API Gateway's response types.

export interface GatewayError {
  /** Undefined: API Gateway keeps the status it chose (the DEFAULT_* types). */
  status?: number;
  code: string;
  /** `reason`: the authorizer's own words (its context's `reason`), see lambdas/authorizer/handler.ts. */
  message: string | { fromAuthorizer: 'reason' };
}

export const GATEWAY_ERRORS = {
  // No Authorization header: API Gateway answers without calling the authorizer.
  UNAUTHORIZED: { status: 401, code: 'unauthorized', message: 'A bearer token is required' },
  // The authorizer refused the token with a Deny naming why (expired, not for this API, ...): a 401.
  ACCESS_DENIED: { status: 401, code: 'unauthorized', message: { fromAuthorizer: 'reason' } },
  // REST APIs answer an unknown path or method with 403 "Missing Authentication Token", or, when an
  // Authorization header is present, with an incomplete SigV4 signature error: both are a 404 to a client.
  MISSING_AUTHENTICATION_TOKEN: { status: 404, code: 'not_found', message: 'No such route' },
  INCOMPLETE_SIGNATURE: { status: 404, code: 'not_found', message: 'No such route' },
  REQUEST_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'Request body too large' },
  THROTTLED: { status: 429, code: 'throttled', message: 'Too many requests; retry later' },
  QUOTA_EXCEEDED: { status: 429, code: 'throttled', message: 'Too many requests; retry later' },
  BAD_REQUEST_BODY: { status: 400, code: 'validation_error', message: 'Invalid request' },
  BAD_REQUEST_PARAMETERS: { status: 400, code: 'validation_error', message: 'Invalid request' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'Unsupported media type' },
  WAF_FILTERED: { status: 403, code: 'forbidden', message: 'Not allowed' },
  DEFAULT_4XX: { code: 'bad_request', message: 'The request could not be served' },
  DEFAULT_5XX: { code: 'internal_error', message: 'Internal error' },
} as const satisfies Record<string, GatewayError>;

export type GatewayErrorType = keyof typeof GATEWAY_ERRORS;

/** The request header a gateway answer echoes as X-Correlation-Id (the API function sets its own). */
export const CORRELATION_HEADER = 'X-Correlation-Id';

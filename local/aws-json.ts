import type { ServerResponse } from 'node:http';

// The AWS JSON protocols (1.0 for SQS, 1.1 for EventBridge): POST /, operation named by X-Amz-Target,
// JSON in and out, errors as `{"__type": ..., "message": ...}`.

export class AwsServiceError extends Error {
  constructor(
    /** The error shape's name, e.g. `ReceiptHandleIsInvalid`; the SDK maps it to its error class. */
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

export interface AwsJsonService {
  /** X-Amz-Target prefix, e.g. `AWSEvents` or `AmazonSQS`. */
  targetPrefix: string;
  contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
  /** The error `__type` namespace, e.g. `com.amazonaws.sqs`. */
  errorNamespace: string;
  /** awsQueryCompatible services (SQS) also name the error in this header. */
  queryErrorHeader?: boolean;
  operations: Record<string, (input: Record<string, unknown>) => Promise<unknown>>;
}

export async function serveAwsJson(
  service: AwsJsonService,
  target: string,
  body: string,
  res: ServerResponse,
): Promise<void> {
  const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': service.contentType, ...headers });
    res.end(JSON.stringify(payload));
  };
  const fail = (error: AwsServiceError) =>
    send(
      error.statusCode,
      { __type: `${service.errorNamespace}#${error.code}`, message: error.message },
      service.queryErrorHeader
        ? { 'x-amzn-query-error': `${error.code};${error.statusCode < 500 ? 'Sender' : 'Receiver'}` }
        : {},
    );
  const operation = service.operations[target.slice(service.targetPrefix.length + 1)];
  if (!operation) return fail(new AwsServiceError('UnknownOperationException', `Unsupported: ${target}`));
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body || '{}') as Record<string, unknown>;
  } catch {
    return fail(new AwsServiceError('SerializationException', 'Request body is not valid JSON'));
  }
  try {
    send(200, (await operation(input)) ?? {});
  } catch (error) {
    fail(
      error instanceof AwsServiceError
        ? error
        : new AwsServiceError('InternalFailure', 'The local runtime failed to serve the request', 500),
    );
  }
}

export function requireString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw new AwsServiceError('ValidationException', `${field} is required`);
  }
  return value;
}

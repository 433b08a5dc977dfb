// What every AWS SDK client of ours is built with. `cacheMiddleware`: the SDK otherwise rebuilds its
// middleware stack on every send; caching it cut the CPU of one PutEvents call by 15-20 % (docs/BENCHMARKS.md).
// The timeouts: the SDK sets none, so an endpoint that accepts the connection and never answers would hold a
// request until the function's own timeout; bounded (and thrown: this SDK only warns unless told to throw), it
// fails like any refusal and is retried or answered 503.
export const AWS_REQUEST_TIMEOUT_MS = 2_000;

export const awsClientConfig = {
  cacheMiddleware: true,
  requestHandler: {
    connectionTimeout: 1_000,
    requestTimeout: AWS_REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  },
} as const;

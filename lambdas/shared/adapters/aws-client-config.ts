// What every AWS SDK client of ours is built with. `cacheMiddleware`: the SDK otherwise rebuilds its
// middleware stack on every send; caching it cut the CPU of one PutEvents call by 15-20 % (docs/BENCHMARKS.md).
export const awsClientConfig = { cacheMiddleware: true } as const;

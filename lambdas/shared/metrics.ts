import { Metrics } from '@aws-lambda-powertools/metrics';

// CloudWatch EMF metrics; namespace and service come from POWERTOOLS_* environment variables.
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Payments',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'payments',
});

/** Publishes what this invocation recorded; an invocation that recorded nothing publishes (and warns) nothing. */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

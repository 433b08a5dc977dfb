import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { METRICS_NAMESPACE } from '../../lib/names';

// Powertools logger, metrics and tracer, one of each per function (service and namespace come from the
// POWERTOOLS_* variables the stack sets), and the one wrapper every handler runs inside.

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'payments';

/** Structured JSON logs; the Lambda context and a request's correlation id are added per invocation. */
export const logger = new Logger({ serviceName });

/** CloudWatch EMF metrics (lib/names.ts names them). */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName,
});

/** X-Ray: a subsegment per invocation and one per AWS SDK call (`traced`). Off outside Lambda. */
export const tracer = new Tracer({ serviceName });

/** An AWS SDK client whose calls appear as X-Ray subsegments of the invocation. */
export function traced<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client as never) as Client;
}

/** Publishes what this invocation recorded; an invocation that recorded nothing publishes (and warns) nothing. */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/**
 * Every function's handler runs inside this: the Lambda context on every log line (and no key left
 * over from the previous invocation), a `ColdStart` metric on the first invocation, the invocation as
 * an X-Ray subsegment annotated with cold start and service, and the metrics flushed at the end.
 */
export function observed<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
): (event: Event, context: Context) => Promise<Result> {
  return async (event, context) => {
    logger.resetKeys();
    logger.addContext(context);
    metrics.captureColdStartMetric();
    const facade = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const segment = facade?.addNewSubsegment(`## ${context.functionName}`);
    if (segment) {
      tracer.setSegment(segment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    }
    try {
      return await handler(event, context);
    } catch (error) {
      if (segment) tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      segment?.close();
      if (facade) tracer.setSegment(facade);
      flushMetrics();
    }
  };
}

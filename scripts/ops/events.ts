import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { parseEnvelope } from '../../lambdas/shared/events/envelope';

// Reading the EventBridge events that DLQ messages carry (each body is the original event envelope).

/** The PutEvents entry that re-publishes the event in `body`: same source, detail-type, detail and time. */
export function replayEntry(body: string, busName: string): PutEventsRequestEntry | undefined {
  const parsed = parseEnvelope(body);
  if (!parsed.ok) return undefined;
  const event = parsed.envelope;
  const time = event.time ? new Date(event.time) : undefined;
  return {
    EventBusName: busName,
    Source: event.source,
    DetailType: event['detail-type'],
    Detail: JSON.stringify(event.detail),
    Resources: event.resources?.length ? event.resources : undefined,
    Time: time && !Number.isNaN(time.getTime()) ? time : undefined,
  };
}

/** detail-type and payment id of the event in a message body, when it is one of ours. */
export function describeEvent(body: string): { detailType?: string; paymentId?: string } {
  const parsed = parseEnvelope(body);
  if (!parsed.ok) return {};
  const event = parsed.envelope;
  const payment = event.detail.payment as { id?: unknown } | undefined;
  return {
    detailType: event['detail-type'],
    paymentId: typeof payment?.id === 'string' ? payment.id : undefined,
  };
}

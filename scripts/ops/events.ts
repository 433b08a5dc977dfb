import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

// Reading the EventBridge events that DLQ messages carry (each body is the original event envelope).

interface Envelope {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
  time?: string;
  resources?: string[];
}

function parseEnvelope(body: string): Envelope | undefined {
  try {
    const value = JSON.parse(body) as Partial<Envelope>;
    if (
      typeof value.source === 'string' &&
      typeof value['detail-type'] === 'string' &&
      typeof value.detail === 'object' &&
      value.detail !== null &&
      !Array.isArray(value.detail)
    ) {
      return value as Envelope;
    }
  } catch {
    // not JSON: the caller counts it as unparseable
  }
  return undefined;
}

/** The PutEvents entry that re-publishes the event in `body`: same source, detail-type, detail and time. */
export function replayEntry(body: string, busName: string): PutEventsRequestEntry | undefined {
  const event = parseEnvelope(body);
  if (!event) return undefined;
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
  const event = parseEnvelope(body);
  if (!event) return {};
  const payment = event.detail.payment as { id?: unknown } | undefined;
  return {
    detailType: event['detail-type'],
    paymentId: typeof payment?.id === 'string' ? payment.id : undefined,
  };
}

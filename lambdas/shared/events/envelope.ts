// The EventBridge event envelope (its fields are AWS's, our contract is the `detail`): built by the local
// bus and scheduler, parsed by the SQS workers and the ops CLI. The one place that knows its shape.

export interface EventEnvelope<Detail = Record<string, unknown>> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** RFC 3339 UTC, whole seconds, as EventBridge writes it. */
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
}

/** EventBridge's own time format: whole seconds. */
export function eventTime(at: Date = new Date()): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toEnvelope(input: {
  id: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  account: string;
  region: string;
  time?: Date;
  resources?: readonly string[];
}): EventEnvelope {
  return {
    version: '0',
    id: input.id,
    'detail-type': input.detailType,
    source: input.source,
    account: input.account,
    time: eventTime(input.time),
    region: input.region,
    resources: [...(input.resources ?? [])],
    detail: input.detail,
  };
}

export type ParsedEnvelope = { ok: true; envelope: EventEnvelope } | { ok: false; problem: string };

/** An SQS message body (or any text) read as an EventBridge event: source, detail-type and an object detail. */
export function parseEnvelope(body: string): ParsedEnvelope {
  let value: Partial<EventEnvelope<unknown>>;
  try {
    value = JSON.parse(body) as Partial<EventEnvelope<unknown>>;
  } catch {
    return { ok: false, problem: 'body is not JSON' };
  }
  const detail = value?.detail;
  if (
    typeof value?.source !== 'string' ||
    typeof value['detail-type'] !== 'string' ||
    typeof detail !== 'object' ||
    detail === null ||
    Array.isArray(detail)
  ) {
    return { ok: false, problem: 'body is not an EventBridge event' };
  }
  return { ok: true, envelope: value as EventEnvelope };
}

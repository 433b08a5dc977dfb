import { z } from 'zod';

// LOCAL_FAULTS: JSON rates (0..1) of the faults the local runtime injects. Unset: no fault, no seam used.
// The gateway's own faults stay in GATEWAY_TRANSIENT_FAILURE_RATE / GATEWAY_TIMEOUT_RATE.

const rate = z.number().min(0).max(1).default(0);

export const faultRatesSchema = z.strictObject({
  /** A message handled successfully is delivered once more (SQS at-least-once). */
  duplicateDelivery: rate,
  /** A message becomes visible again while its first consumer runs, so a second one takes it too. */
  concurrentDelivery: rate,
  /** The payment worker crashes before calling the gateway. */
  crashBeforeCharge: rate,
  /** ... after the charge, before the settlement transaction commits. */
  crashAfterCharge: rate,
  /** ... after the commit, before the outcome event is published. */
  crashAfterCommit: rate,
  /** The risk worker crashes mid-assessment: the history read and scored, nothing committed. */
  crashMidAssessment: rate,
  /** ... after the assessment and its RiskAssessed row commit, before the event is published. */
  crashAfterAssessment: rate,
  /** The PutEvents endpoint refuses an entry (FailedEntryCount), as EventBridge sometimes does. */
  putEventsFailure: rate,
  /**
   * The PutEvents endpoint refuses a NotificationRequested entry (the API path of POST /events; the
   * publisher re-sends twice, so about rate^3 of the requests are answered 503 and retried by the client).
   */
  notificationRequestRefused: rate,
  /** Seeds the fault dice; without it they are random. */
  seed: z.number().int().optional(),
});

export type FaultRates = z.infer<typeof faultRatesSchema>;

/** The fault rates from LOCAL_FAULTS, or undefined when it is unset or empty. */
export function faultRatesFromEnv(env: NodeJS.ProcessEnv = process.env): FaultRates | undefined {
  const raw = env.LOCAL_FAULTS?.trim();
  if (!raw) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('LOCAL_FAULTS must be a JSON object of rates, e.g. {"crashAfterCharge":0.05}');
  }
  const parsed = faultRatesSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'LOCAL_FAULTS'}: ${i.message}`);
    throw new Error(`LOCAL_FAULTS is invalid: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** A small seeded PRNG (mulberry32): uniform [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What was injected so far, by kind (this process only: a restart starts again from zero). */
export interface FaultCounts {
  duplicateDeliveries: number;
  concurrentDeliveries: number;
  crashesBeforeCharge: number;
  crashesAfterCharge: number;
  crashesAfterCommit: number;
  putEventsEntriesRefused: number;
  notificationRequestsRefused: number;
  gatewayTransientErrors: number;
  gatewayTimeouts: number;
  crashesMidAssessment: number;
  crashesAfterAssessment: number;
  /** The share of duplicateDeliveries and concurrentDeliveries that went to the risk queue. */
  duplicateDeliveriesToRisk: number;
  concurrentDeliveriesToRisk: number;
}

export const zeroFaultCounts = (): FaultCounts => ({
  duplicateDeliveries: 0,
  concurrentDeliveries: 0,
  crashesBeforeCharge: 0,
  crashesAfterCharge: 0,
  crashesAfterCommit: 0,
  putEventsEntriesRefused: 0,
  notificationRequestsRefused: 0,
  gatewayTransientErrors: 0,
  gatewayTimeouts: 0,
  crashesMidAssessment: 0,
  crashesAfterAssessment: 0,
  duplicateDeliveriesToRisk: 0,
  concurrentDeliveriesToRisk: 0,
});

/** Thrown where a fault crashes a worker: the invocation fails as if it had died at that step. */
export class InjectedCrashError extends Error {
  override readonly name = 'InjectedCrashError';
}

/** Rolls for faults and keeps the tally. */
export interface FaultDice {
  /** Throws InjectedCrashError (and counts it) with probability `rate`. */
  crash(rate: number, counter: keyof FaultCounts, step: string): void;
  count(counter: keyof FaultCounts): void;
}

import type { SQSEvent } from 'aws-lambda';
import type { PaymentProcessingHooks } from '../../lambdas/shared/use-cases/process-payment';
import type { LambdaHandler } from '../lambda-context';
import type { PollerHooks } from '../poller';
import type { QueueStore } from '../queue-store';
import { type FaultRates, faultRatesFromEnv, seededRandom } from './config';
import { paymentWorkerWithFaults } from './payment-worker';

// Fault injection for the local runtime only (issue 6, chaos run). Nothing under lambdas/ or lib/
// imports this: the shipped code only offers the seams (PaymentProcessingHooks), never the faults.

export type { FaultRates } from './config';

/** What was injected so far, by kind (this process only: a restart starts again from zero). */
export interface FaultCounts {
  duplicateDeliveries: number;
  concurrentDeliveries: number;
  crashesBeforeCharge: number;
  crashesAfterCharge: number;
  crashesAfterCommit: number;
  putEventsEntriesRefused: number;
  gatewayTransientErrors: number;
  gatewayTimeouts: number;
}

export const zeroFaultCounts = (): FaultCounts => ({
  duplicateDeliveries: 0,
  concurrentDeliveries: 0,
  crashesBeforeCharge: 0,
  crashesAfterCharge: 0,
  crashesAfterCommit: 0,
  putEventsEntriesRefused: 0,
  gatewayTransientErrors: 0,
  gatewayTimeouts: 0,
});

/** Thrown by a crash hook: the invocation fails as if the worker had died at that step. */
export class InjectedCrashError extends Error {
  override readonly name = 'InjectedCrashError';
}

export interface QueueSeams {
  store: QueueStore;
  /** Wakes the queue's poller so a redelivered message is taken at once. */
  wake(queue: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LocalFaults {
  private readonly random: () => number;
  private readonly tally: FaultCounts = zeroFaultCounts();

  constructor(readonly rates: FaultRates) {
    this.random = rates.seed === undefined ? Math.random : seededRandom(rates.seed);
  }

  counts(): FaultCounts {
    return { ...this.tally };
  }

  /** Rolls the dice for one fault; counts it when it fires. */
  private fires(rate: number, counter: keyof FaultCounts): boolean {
    if (rate <= 0 || this.random() >= rate) return false;
    this.tally[counter] += 1;
    return true;
  }

  count(counter: keyof FaultCounts): void {
    this.tally[counter] += 1;
  }

  /** The payment worker's crash points: throwing fails the invocation, so the message is retried. */
  paymentHooks(): PaymentProcessingHooks {
    const crash = (rate: number, counter: keyof FaultCounts, step: string) => async () => {
      if (this.fires(rate, counter)) throw new InjectedCrashError(`injected crash ${step}`);
    };
    return {
      beforeCharge: crash(this.rates.crashBeforeCharge, 'crashesBeforeCharge', 'before the gateway call'),
      afterCharge: crash(this.rates.crashAfterCharge, 'crashesAfterCharge', 'after the charge'),
      afterCommit: crash(this.rates.crashAfterCommit, 'crashesAfterCommit', 'after the commit'),
    };
  }

  /** Queue delivery faults, played around each batch the poller hands to a handler. */
  pollerHooks(seams: QueueSeams): PollerHooks {
    return {
      beforeInvoke: async (queue: string, event: SQSEvent) => {
        let redelivered = false;
        for (const record of event.Records) {
          if (!this.fires(this.rates.concurrentDelivery, 'concurrentDeliveries')) continue;
          // As when a visibility timeout runs out mid-invocation: another consumer receives it now.
          await seams.store.changeVisibility(queue, record.receiptHandle, 0);
          redelivered = true;
        }
        if (redelivered) {
          seams.wake(queue);
          await sleep(5); // let the second consumer start, so both really run at once
        }
      },
      afterInvoke: async (queue, event, outcome) => {
        const succeeded = new Set(outcome.succeeded);
        const copies = event.Records.filter(
          (r) =>
            succeeded.has(r.messageId) && this.fires(this.rates.duplicateDelivery, 'duplicateDeliveries'),
        ).map((r) => r.body);
        if (copies.length === 0) return;
        await seams.store.send(queue, copies);
        seams.wake(queue);
      },
    };
  }

  /** A PutEvents entry refused with an error code (the request itself succeeds, FailedEntryCount > 0). */
  refusePutEventsEntry(): { ErrorCode: string; ErrorMessage: string } | undefined {
    if (!this.fires(this.rates.putEventsFailure, 'putEventsEntriesRefused')) return undefined;
    return { ErrorCode: 'InternalFailure', ErrorMessage: 'Injected failure (LOCAL_FAULTS)' };
  }

  /** The handler the runtime should run for a function: the payment worker gets its crash hooks. */
  async handlerFor(functionName: string, handler: LambdaHandler): Promise<LambdaHandler> {
    if (functionName !== 'paymentWorker') return handler;
    return paymentWorkerWithFaults(this);
  }
}

/** The faults LOCAL_FAULTS asks for, or undefined (the runtime then runs exactly as without them). */
export function localFaultsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalFaults | undefined {
  const rates = faultRatesFromEnv(env);
  return rates ? new LocalFaults(rates) : undefined;
}

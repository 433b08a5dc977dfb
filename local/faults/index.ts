import type { SQSEvent } from 'aws-lambda';
import type { paymentWorker } from '../../lambdas/payment-worker/handler';
import type { riskWorker } from '../../lambdas/risk-worker/handler';
import { NotificationRequested } from '../../lambdas/shared/events';
import type { QueueName } from '../../lib/topology';
import type { LoadedModule } from '../functions';
import type { LambdaHandler } from '../lambda-context';
import type { PollerHooks } from '../poller';
import type { QueueStore } from '../queue-store';
import {
  type FaultCounts,
  type FaultDice,
  type FaultRates,
  faultRatesFromEnv,
  faultRatesSchema,
  InjectedCrashError,
  seededRandom,
  zeroFaultCounts,
} from './config';
import { paymentPortsWithFaults } from './payment-worker';
import { riskPortsWithFaults } from './risk-worker';

/** The queue whose deliveries are also tallied on their own (the risk worker's). */
const RISK_QUEUE: QueueName = 'risk';

// Fault injection for the local runtime only (the chaos run). Nothing under lambdas/ or lib/ imports
// this: faults wrap the shipped code's ports and the runtime's queues from outside.

export type { FaultCounts, FaultRates } from './config';
export { zeroFaultCounts } from './config';

export interface QueueSeams {
  store: QueueStore;
  /** Wakes the queue's poller so a redelivered message is taken at once. */
  wake(queue: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LocalFaults implements FaultDice {
  private readonly random: () => number;
  private readonly tally: FaultCounts = zeroFaultCounts();

  constructor(public rates: FaultRates) {
    this.random = rates.seed === undefined ? Math.random : seededRandom(rates.seed);
  }

  /** New rates for some faults (JSON, as in LOCAL_FAULTS), from now on; the others keep theirs. */
  update(json: string): FaultRates {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new Error('The body must be a JSON object of rates, e.g. {"putEventsFailure":0}');
    }
    const result = faultRatesSchema.partial().safeParse(parsed);
    if (!result.success)
      throw new Error(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    // Only the rates the body names (the schema fills the others with their defaults).
    const named = new Set(Object.keys(parsed as object));
    const given = Object.fromEntries(Object.entries(result.data).filter(([k]) => named.has(k)));
    this.rates = { ...this.rates, ...given };
    return this.rates;
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

  crash(rate: number, counter: keyof FaultCounts, step: string): void {
    if (this.fires(rate, counter)) throw new InjectedCrashError(`injected crash ${step}`);
  }

  /** Queue delivery faults, played around each batch the poller hands to a handler. */
  pollerHooks(seams: QueueSeams): PollerHooks {
    return {
      beforeInvoke: async (queue: string, event: SQSEvent) => {
        let redelivered = false;
        for (const record of event.Records) {
          if (!this.fires(this.rates.concurrentDelivery, 'concurrentDeliveries')) continue;
          if (queue === RISK_QUEUE) this.count('concurrentDeliveriesToRisk');
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
        if (queue === RISK_QUEUE) this.tally.duplicateDeliveriesToRisk += copies.length;
        await seams.store.send(queue, copies);
        seams.wake(queue);
      },
    };
  }

  /** A PutEvents entry refused with an error code (the request itself succeeds, FailedEntryCount > 0). */
  refusePutEventsEntry(entry?: {
    DetailType?: string;
  }): { ErrorCode: string; ErrorMessage: string } | undefined {
    const requested =
      entry?.DetailType === NotificationRequested.detailType &&
      this.fires(this.rates.notificationRequestRefused, 'notificationRequestsRefused');
    if (!requested && !this.fires(this.rates.putEventsFailure, 'putEventsEntriesRefused')) return undefined;
    return { ErrorCode: 'InternalFailure', ErrorMessage: 'Injected failure (LOCAL_FAULTS)' };
  }

  /** The handler the runtime runs for a function: the payment and risk workers', with their ports wrapped. */
  handlerOf(functionName: string, module: LoadedModule): LambdaHandler | undefined {
    if (functionName === 'riskWorker') {
      const worker = module.riskWorker as typeof riskWorker;
      return worker.create({
        ports: (ports) => riskPortsWithFaults(ports, this.rates, this),
      }) as LambdaHandler;
    }
    if (functionName !== 'paymentWorker') return undefined;
    const worker = module.paymentWorker as typeof paymentWorker;
    return worker.create({
      ports: (ports) => paymentPortsWithFaults(ports, this.rates, this),
    }) as LambdaHandler;
  }
}

/** The faults LOCAL_FAULTS asks for, or undefined (the runtime then runs exactly as without them). */
export function localFaultsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalFaults | undefined {
  const rates = faultRatesFromEnv(env);
  return rates ? new LocalFaults(rates) : undefined;
}

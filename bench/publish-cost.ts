import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { awsClientConfig } from '../lambdas/shared/adapters/aws-client-config';
import { EventBridgePublisher } from '../lambdas/shared/adapters/eventbridge/publisher';
import { newPendingPayment } from '../lambdas/shared/domain/payment';
import { PaymentCreated, paymentEvent } from '../lambdas/shared/events';
import { topology } from '../lib/topology';
import type { BenchRuntime } from './runtime';

// What the API's after-commit publish costs on its own: the same publisher adapter, one PaymentCreated
// per PutEvents, from this process to the runtime's bus (which routes and enqueues it durably, as for a
// real payment). It explains the gap between (1) and (2): the ceiling never publishes.

export interface PublishRound {
  callsPerSecond: number;
  /** This process: the SDK client (serialise, sign, HTTP), per call. */
  clientCpuMs: number;
  /** The runtime: its bus endpoint (HTTP, routing, the enqueue INSERT), per call. */
  runtimeCpuMs: number;
  failed: number;
}

function probeEvent() {
  const payment = newPendingPayment({
    id: randomUUID(),
    userId: randomUUID(),
    body: { amount: 4999, currency: 'EUR', description: 'bench' },
    now: new Date(),
  });
  return paymentEvent(PaymentCreated, {
    eventId: randomUUID(),
    occurredAt: new Date(),
    correlationId: randomUUID(),
    payment,
  });
}

export async function publishRound(runtime: BenchRuntime, concurrency: number, durationS: number) {
  const client = new EventBridgeClient({
    ...awsClientConfig,
    endpoint: runtime.baseUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const publisher = new EventBridgePublisher(client, { busName: topology.bus.name });
  try {
    await publisher.publish([probeEvent()]); // the first call builds the client's caches
    let calls = 0;
    let failed = 0;
    const u0 = await runtime.usage();
    const self0 = process.cpuUsage();
    const started = performance.now();
    const deadline = started + durationS * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const outcome = await publisher.publish([probeEvent()]);
          calls++;
          failed += outcome.failed.length;
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const self = process.cpuUsage(self0);
    const u1 = await runtime.usage();
    return {
      callsPerSecond: calls / elapsedS,
      clientCpuMs: (self.user + self.system) / 1000 / calls,
      runtimeCpuMs: (u1.runtimeCpuMs - u0.runtimeCpuMs) / calls,
      failed,
    } satisfies PublishRound;
  } finally {
    client.destroy();
  }
}

import type { LambdaHandler } from '../lambda-context';
import type { LocalFaults } from './index';

// The real payment worker with its crash hooks set and its gateway calls counted. Imported lazily:
// handler modules read their environment on load, which the runtime sets first.

export async function paymentWorkerWithFaults(faults: LocalFaults): Promise<LambdaHandler> {
  const { buildPaymentWorkerDeps, createPaymentWorker } = await import(
    '../../lambdas/payment-worker/handler'
  );
  const { GatewayTimeoutError, GatewayUnavailableError } = await import(
    '../../lambdas/shared/use-cases/gateway-errors'
  );
  let deps: ReturnType<typeof buildPaymentWorkerDeps> | undefined;
  const build = async () => {
    const built = await buildPaymentWorkerDeps({ hooks: faults.paymentHooks() });
    const gateway = built.processing.gateway;
    built.processing.gateway = {
      charge: (request) =>
        gateway.charge(request).catch((error: unknown) => {
          if (error instanceof GatewayTimeoutError) faults.count('gatewayTimeouts');
          if (error instanceof GatewayUnavailableError) faults.count('gatewayTransientErrors');
          throw error;
        }),
      getCharge: (key) => gateway.getCharge(key),
    };
    return built;
  };
  const worker = createPaymentWorker(() => {
    deps ??= build().catch((error: unknown) => {
      deps = undefined;
      throw error;
    });
    return deps;
  });
  return worker as LambdaHandler;
}

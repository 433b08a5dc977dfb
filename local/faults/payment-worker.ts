import { GatewayTimeoutError, GatewayUnavailableError } from '../../lambdas/shared/use-cases/errors';
import type { ProcessPaymentDeps } from '../../lambdas/shared/use-cases/process-payment';
import type { FaultDice, FaultRates } from './config';

// The payment worker's crash points, injected by wrapping its ports from outside: the shipped use case
// has no hooks. Each wrapper fails the invocation at one step, as a worker that died there would.

export function paymentPortsWithFaults(
  ports: ProcessPaymentDeps,
  rates: FaultRates,
  dice: FaultDice,
): ProcessPaymentDeps {
  const { chargeGuard, gateway, store } = ports;
  return {
    ...ports,
    // Before the guarded charge: nothing claimed, nothing charged.
    chargeGuard: {
      once: (key, effect) => {
        dice.crash(rates.crashBeforeCharge, 'crashesBeforeCharge', 'before the gateway call');
        return chargeGuard.once(key, effect);
      },
    },
    gateway: {
      charge: (request) =>
        gateway.charge(request).catch((error: unknown) => {
          if (error instanceof GatewayTimeoutError) dice.count('gatewayTimeouts');
          if (error instanceof GatewayUnavailableError) dice.count('gatewayTransientErrors');
          throw error;
        }),
      getCharge: (key) => gateway.getCharge(key),
    },
    store: {
      findPayment: (id) => store.findPayment(id),
      findAssessment: (id) => store.findAssessment(id),
      // Charged (and the charge's result stored by the guard), then: no commit, or a commit and no publish.
      settle: async (paymentId, settlement, eventFor) => {
        dice.crash(rates.crashAfterCharge, 'crashesAfterCharge', 'after the charge');
        const settled = await store.settle(paymentId, settlement, eventFor);
        dice.crash(rates.crashAfterCommit, 'crashesAfterCommit', 'after the commit');
        return settled;
      },
    },
  };
}

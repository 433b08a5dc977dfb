import * as events from '../../lambdas/shared/events';
import {
  NotificationRequested,
  NotificationSent,
  PaymentCreated,
  PaymentFailed,
  PaymentSucceeded,
  RiskAssessed,
} from '../../lambdas/shared/events';
import { topology } from '../../lib/topology';
import { compileRule, compileRules, UnsupportedPatternError } from '../../local/rule-matcher';

const envelope = (contract: { source: string; detailType: string }) => ({
  version: '0',
  source: contract.source,
  'detail-type': contract.detailType,
  detail: {},
});

describe('local rule matcher', () => {
  const rules = compileRules(topology.rules);
  const route = (contract: { source: string; detailType: string }) =>
    rules.filter((r) => r.matches(envelope(contract))).map((r) => r.queue);

  it('routes every contract event the way the topology says', () => {
    expect(route(PaymentCreated)).toEqual(['risk']);
    expect(route(RiskAssessed)).toEqual(['payments']);
    expect(route(PaymentSucceeded)).toEqual(['notifications']);
    expect(route(PaymentFailed)).toEqual(['notifications']);
    expect(route(NotificationSent)).toEqual([]);
    expect(route(NotificationRequested)).toEqual(['notificationRequests']);
    // Every contract the events module exports is routed, or declared unrouted.
    const contracts = Object.values(events).filter(
      (v): v is typeof PaymentCreated => typeof v === 'object' && v !== null && 'detailType' in v,
    );
    expect(contracts.map((c) => c.detailType).sort()).toEqual([
      NotificationRequested.detailType,
      NotificationSent.detailType,
      PaymentCreated.detailType,
      PaymentFailed.detailType,
      PaymentSucceeded.detailType,
      RiskAssessed.detailType,
    ]);
    expect(contracts.filter((e) => route(e).length === 0).map((e) => e.detailType)).toEqual([
      ...topology.unrouted,
    ]);
  });

  it('needs every field of the pattern to match exactly', () => {
    expect(route({ source: 'someone.else', detailType: PaymentCreated.detailType })).toEqual([]);
    expect(route({ source: PaymentCreated.source, detailType: 'paymentcreated' })).toEqual([]);
    expect(rules[0]!.matches({ source: PaymentCreated.source })).toBe(false);
  });

  it.each([
    ['a prefix operator', { source: [{ prefix: 'payments.' }] }],
    ['a nested detail pattern', { detail: { status: ['FAILED'] } }],
    ['an empty value list', { source: [] }],
    ['a numeric value', { source: [1] }],
    ['an empty pattern', {}],
  ])('refuses %s at start-up', (_name, pattern) => {
    expect(() => compileRule('bad', { pattern, queue: 'payments' })).toThrow(UnsupportedPatternError);
  });
});

import { randomUUID } from 'node:crypto';
import { simulatedDecline } from '../../lambdas/shared/adapters/gateway/simulated-gateway';
import { formatAmount, renderNotification } from '../../lambdas/shared/use-cases/notification-templates';

describe('notification templates', () => {
  it('formats minor units with the currency’s own decimals', () => {
    expect(formatAmount(2500, 'USD')).toBe('$25.00');
    expect(formatAmount(1234, 'JPY')).toBe('¥1,234');
    expect(formatAmount(99, 'EUR')).toBe('€0.99');
  });

  it('renders a success email with subject and an SMS within one segment', () => {
    const payment = {
      id: randomUUID(),
      user_id: 'u',
      amount: 2500,
      currency: 'USD' as const,
      status: 'SUCCEEDED' as const,
    };
    expect(renderNotification('email', payment)).toEqual({
      subject: 'Payment of $25.00 received',
      body: `Your payment of $25.00 (reference ${payment.id}) succeeded. Thank you.`,
    });
    const sms = renderNotification('sms', payment);
    expect(sms.subject).toBeUndefined();
    expect(sms.body).toBe(`Payment ${payment.id.slice(0, 8)}: $25.00 succeeded.`);
  });
});

describe('simulated gateway decisions', () => {
  it('declines amounts whose last two digits are 13, and only those', () => {
    expect(simulatedDecline(13)).toEqual({ code: 'card_declined', reason: expect.any(String) });
    expect(simulatedDecline(100013)).toMatchObject({ code: 'card_declined' });
    expect(simulatedDecline(1300)).toBeUndefined();
    expect(simulatedDecline(131)).toBeUndefined();
    expect(simulatedDecline(114)).toBeUndefined();
  });
});

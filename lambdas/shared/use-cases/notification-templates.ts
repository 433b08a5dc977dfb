import type { NotificationChannel } from '../domain/notification';
import type { NotificationRequestedDetail, PaymentSnapshot } from '../events';

export interface RenderedMessage {
  subject?: string;
  body: string;
}

// Building an Intl.NumberFormat costs 0.1-0.3 ms (ICU data); the allowlist is small, so keep one per currency.
const formats = new Map<string, { format: Intl.NumberFormat; digits: number }>();

/** Minor units to a display amount, with the currency's own number of decimals (JPY has none). */
export function formatAmount(amount: number, currency: string): string {
  let cached = formats.get(currency);
  if (!cached) {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency });
    cached = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
    formats.set(currency, cached);
  }
  return cached.format.format(amount / 10 ** cached.digits);
}

/** The user-facing text for a terminal payment, per channel. SMS stays under one 160-character segment. */
export function renderNotification(channel: NotificationChannel, payment: PaymentSnapshot): RenderedMessage {
  const amount = formatAmount(payment.amount, payment.currency);
  const ref = payment.id.slice(0, 8);
  if (payment.status === 'SUCCEEDED') {
    return channel === 'email'
      ? {
          subject: `Payment of ${amount} received`,
          body: `Your payment of ${amount} (reference ${payment.id}) succeeded. Thank you.`,
        }
      : { body: `Payment ${ref}: ${amount} succeeded.` };
  }
  const reason = payment.failure_reason || 'The payment could not be completed.';
  return channel === 'email'
    ? {
        subject: `Payment of ${amount} failed`,
        body: `Your payment of ${amount} (reference ${payment.id}) failed: ${reason} You have not been charged.`,
      }
    : {
        body: `Payment ${ref}: ${amount} failed (${payment.failure_code ?? 'failed'}). You were not charged.`,
      };
}

/** A requested event's text: the caller wrote the message; the email's subject names its type. */
export function renderEventNotification(
  channel: NotificationChannel,
  event: Pick<NotificationRequestedDetail, 'event_type' | 'message'>,
): RenderedMessage {
  return channel === 'email'
    ? { subject: `Notification: ${event.event_type}`, body: event.message }
    : { body: event.message };
}

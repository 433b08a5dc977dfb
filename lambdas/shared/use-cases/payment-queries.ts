import type { Balance } from '../domain/balance';
import type { Notification } from '../domain/notification';
import { DependencyUnavailableError, ForbiddenError, NotFoundError } from './errors';
import type {
  KeysetPosition,
  NotificationListQuery,
  PaymentListQuery,
  PaymentQueries,
  PaymentView,
} from './ports';

/** A payment the caller does not own is indistinguishable from one that does not exist. */
export async function getPayment(q: PaymentQueries, userId: string, id: string): Promise<PaymentView> {
  const payment = await q.findPayment(id);
  if (!payment || payment.user_id !== userId) throw new NotFoundError('Payment not found');
  return payment;
}

/** Keyset pagination, newest first: no gaps or repeats even while new payments arrive. */
export async function listPayments(
  q: PaymentQueries,
  query: PaymentListQuery,
): Promise<{ payments: PaymentView[]; next: { createdAt: string; id: string } | null }> {
  const rows = await q.listPayments(query);
  const payments = rows.slice(0, query.limit);
  const last = payments.at(-1);
  return {
    payments,
    next: rows.length > query.limit && last ? { createdAt: last.created_at, id: last.id } : null,
  };
}

/** Keyset pagination as for payments; every filter optional. */
export async function listNotifications(
  q: PaymentQueries,
  query: NotificationListQuery,
): Promise<{ notifications: Notification[]; next: KeysetPosition | null }> {
  const rows = await q.listNotifications(query);
  const notifications = rows.slice(0, query.limit);
  const last = notifications.at(-1);
  return {
    notifications,
    next: rows.length > query.limit && last ? { createdAt: last.created_at, id: last.id } : null,
  };
}

/** Only the caller's own account. */
export async function getBalance(
  q: PaymentQueries,
  input: { userId: string; accountUserId: string },
): Promise<Balance[]> {
  if (input.accountUserId !== input.userId) throw new ForbiddenError('You can only read your own balance');
  return q.balancesForUser(input.userId);
}

export async function checkHealth(q: PaymentQueries): Promise<void> {
  try {
    await q.ping();
  } catch (error) {
    throw new DependencyUnavailableError('The database is not reachable', { cause: error });
  }
}

import type { Balance } from '../domain/balance';
import { AppError } from '../domain/errors';
import type { Notification } from '../domain/notification';
import type { Payment, PaymentStatus } from '../domain/payment';
import type { PaymentQueries } from './ports';

/** A payment the caller does not own is indistinguishable from one that does not exist. */
export async function getPayment(q: PaymentQueries, userId: string, id: string): Promise<Payment> {
  const payment = await q.findPayment(id);
  if (!payment || payment.user_id !== userId) throw new AppError('not_found', 'Payment not found');
  return payment;
}

export interface ListPaymentsInput {
  userId: string;
  status?: PaymentStatus;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

// The cursor is opaque to clients: base64url of the last row's keyset position.
function encodeCursor(p: Payment): string {
  return Buffer.from(JSON.stringify([p.created_at, p.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    if (
      typeof createdAt === 'string' &&
      !Number.isNaN(Date.parse(createdAt)) &&
      typeof id === 'string' &&
      uuid.test(id)
    ) {
      return { createdAt, id };
    }
  } catch {
    // fall through to the validation error
  }
  throw new AppError('validation_error', 'Invalid cursor', [
    { field: 'cursor', issue: 'not a cursor from this API' },
  ]);
}

/** Keyset pagination, newest first: no gaps or repeats even while new payments arrive. */
export async function listPayments(q: PaymentQueries, input: ListPaymentsInput): Promise<Page<Payment>> {
  const rows = await q.listPayments({
    userId: input.userId,
    status: input.status,
    from: input.from,
    to: input.to,
    limit: input.limit,
    after: input.cursor ? decodeCursor(input.cursor) : undefined,
  });
  const data = rows.slice(0, input.limit);
  const last = data.at(-1);
  return { data, next_cursor: rows.length > input.limit && last ? encodeCursor(last) : null };
}

export async function listNotifications(
  q: PaymentQueries,
  input: { userId: string; paymentId?: string },
): Promise<{ data: Notification[] }> {
  return { data: await q.listNotifications(input) };
}

/** Only the caller's own account. */
export async function getBalance(
  q: PaymentQueries,
  input: { userId: string; accountUserId: string },
): Promise<{ data: Balance[] }> {
  if (input.accountUserId !== input.userId)
    throw new AppError('forbidden', 'You can only read your own balance');
  return { data: await q.balancesForUser(input.userId) };
}

export async function checkHealth(q: PaymentQueries): Promise<{ status: 'ok' }> {
  try {
    await q.ping();
  } catch {
    throw new AppError('service_unavailable', 'The database is not reachable');
  }
  return { status: 'ok' };
}

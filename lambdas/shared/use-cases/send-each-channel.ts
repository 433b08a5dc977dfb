import type { NotificationChannel } from '../domain/notification';
import type { OutgoingEvent } from '../events';
import type { RenderedMessage } from './notification-templates';
import type { Clock, IdGenerator, Notifier, OutboxDispatcher, SideEffectGuard } from './ports';

export interface SendDeps {
  notifier: Notifier;
  /** Guards each send (Powertools idempotency); the key names the subject and the channel. */
  sendGuard: SideEffectGuard;
  dispatcher: OutboxDispatcher;
  clock: Clock;
  ids: IdGenerator;
}

export interface NotifyResult {
  /** Channels stored by this call (each with its NotificationSent event). */
  stored: NotificationChannel[];
  /** Channels already notified by an earlier delivery. */
  skipped: NotificationChannel[];
}

/** What one subject (a payment outcome, a requested event) says per channel. */
export interface ChannelPlan {
  /** The guard's and the provider's idempotency key for this channel. */
  key: string;
  userId: string;
  address?: string;
  message: RenderedMessage;
  /** Its NotificationSent event for this notification. */
  eventFor(notification: { id: string; sentAt: string }): OutgoingEvent;
  /** In ONE transaction: the notification and, only if it is new, `event`. False if it existed. */
  record(notification: { id: string; message: string; sentAt: Date }, event: OutgoingEvent): Promise<boolean>;
}

/**
 * Sends each channel not yet `done` at most once (the guard), stores it with its NotificationSent event,
 * and publishes the events this call stored. Shared by every kind of notification (docs/architecture.md,
 * "Workers").
 */
export async function sendEachChannelOnce(
  deps: SendDeps,
  channels: readonly NotificationChannel[],
  done: ReadonlySet<NotificationChannel>,
  plan: (channel: NotificationChannel) => ChannelPlan,
): Promise<NotifyResult> {
  const result: NotifyResult = { stored: [], skipped: [] };
  const written: OutgoingEvent[] = [];
  for (const channel of channels) {
    if (done.has(channel)) {
      result.skipped.push(channel);
      continue;
    }
    const p = plan(channel);
    const sent = await deps.sendGuard.once(p.key, async () => {
      const { providerMessageId } = await deps.notifier.send({
        channel,
        userId: p.userId,
        ...(p.address ? { address: p.address } : {}),
        idempotencyKey: p.key,
        ...p.message,
      });
      return { providerMessageId, sentAt: deps.clock.now().toISOString() };
    });
    const id = deps.ids.uuid();
    const event = p.eventFor({ id, sentAt: sent.sentAt });
    const text = p.message.subject ? `${p.message.subject}\n\n${p.message.body}` : p.message.body;
    if (await p.record({ id, message: text, sentAt: new Date(sent.sentAt) }, event)) {
      written.push(event);
      result.stored.push(channel);
    } else {
      result.skipped.push(channel);
    }
  }
  await deps.dispatcher.dispatch(written);
  return result;
}

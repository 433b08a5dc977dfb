import { names } from '../../lib/names';
import { QueueStore } from '../../local/queue-store';
import { openLocalDatabase } from '../../scripts/ops/local-database';
import { envelopeOf, notificationRequested } from './factories';

// A message in a running local runtime's DLQ, as if its worker had given up on it: a NotificationRequested
// event for `userId`, which the notification worker processes once it is redriven (GET /events/{id}).

export async function deadLetterNotificationRequest(dataDir: string, userId: string): Promise<string> {
  const event = notificationRequested({ user_id: userId, message: 'Back from the dead-letter queue' });
  const opened = await openLocalDatabase({ dataDir });
  try {
    await new QueueStore(opened.db).send(names.deadLetterQueue('notificationRequests'), [envelopeOf(event)]);
  } finally {
    await opened.close();
  }
  return event.eventId;
}

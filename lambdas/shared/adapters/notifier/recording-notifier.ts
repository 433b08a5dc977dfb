import { randomUUID } from 'node:crypto';
import type { Notifier, OutgoingMessage } from '../../use-cases/ports';

export interface RecordedMessage extends OutgoingMessage {
  providerMessageId: string;
  at: string;
}

/**
 * The default provider: sends nothing, records what it would have sent (and hands it to `onSend`,
 * e.g. the logger). An SES or SNS provider implements the same `Notifier` port.
 */
export class RecordingNotifier implements Notifier {
  readonly sent: RecordedMessage[] = [];

  constructor(
    private readonly onSend: (message: RecordedMessage) => void = () => {},
    /** Keeps memory bounded in a long-lived process. */
    private readonly keep = 1000,
  ) {}

  async send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    const recorded: RecordedMessage = {
      ...message,
      providerMessageId: randomUUID(),
      at: new Date().toISOString(),
    };
    this.sent.push(recorded);
    if (this.sent.length > this.keep) this.sent.shift();
    this.onSend(recorded);
    return { providerMessageId: recorded.providerMessageId };
  }
}

import type { OutgoingEvent } from '../../lambdas/shared/events';
import type { EventPublisher, PublishOutcome } from '../../lambdas/shared/use-cases/ports';

/** An EventPublisher that keeps what it accepted; it refuses everything while `refusing` or for `failNext` calls. */
export class RecordingPublisher implements EventPublisher {
  readonly published: OutgoingEvent[] = [];
  refusing = false;
  private failures = 0;

  failNext(calls = 1): void {
    this.failures = calls;
  }

  async publish(events: readonly OutgoingEvent[]): Promise<PublishOutcome> {
    if (this.refusing || this.failures > 0) {
      if (!this.refusing) this.failures--;
      return {
        published: [],
        failed: events.map((e) => ({ eventId: e.eventId, error: 'refused' })),
      };
    }
    this.published.push(...events);
    return { published: events.map((e) => e.eventId), failed: [] };
  }

  ofType(detailType: string): OutgoingEvent[] {
    return this.published.filter((e) => e.detailType === detailType);
  }
}

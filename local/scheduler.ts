import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './event-bus';

// A fixed-rate schedule (EventBridge Scheduler in AWS). Runs never overlap: a slow run delays the next.

export interface ScheduleOptions {
  name: string;
  everySeconds: number;
  invoke(event: ScheduledEvent): Promise<unknown>;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

export class Schedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ScheduleOptions) {}

  /** Runs once now (sweeping whatever a previous process left) and then every `everySeconds`. */
  start(): void {
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = this.runOnce().finally(() => {
      this.running = undefined;
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.options.everySeconds * 1000);
    });
  }

  private async runOnce(): Promise<void> {
    const event: ScheduledEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: LOCAL_ACCOUNT,
      time: new Date().toISOString(),
      region: LOCAL_REGION,
      resources: [`arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/default/${this.options.name}`],
      detail: {},
    };
    try {
      await this.options.invoke(event);
    } catch (error) {
      this.options.log('Scheduled run failed', { schedule: this.options.name, error: String(error) });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

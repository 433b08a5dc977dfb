import { randomUUID } from 'node:crypto';
import { toEnvelope } from '../lambdas/shared/events/envelope';
import type { Topology } from '../lib/topology';
import { LOCAL_ACCOUNT, LOCAL_REGION, localArn } from './aws-identity';
import { invokeFunction, type LocalFunction } from './lambda-context';

// The topology's schedules. In AWS each is an EventBridge rate rule whose target is its function; here a
// timer invokes the function with the same "Scheduled Event". Runs never overlap (a slow run delays the
// next), except an `alwaysOn` schedule's, which start on the interval as in AWS and are cut short on stop.

type Log = (message: string, fields?: Record<string, unknown>) => void;

class Schedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly overlapping = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private stopped = false;
  runs = 0;

  constructor(
    readonly name: string,
    private readonly everySeconds: number,
    private readonly target: LocalFunction,
    private readonly log: Log,
    private readonly alwaysOn = false,
  ) {}

  /** Runs once now (sweeping whatever a previous process left) and then every `everySeconds`. */
  start(): void {
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    if (this.alwaysOn) {
      const run = this.runOnce().finally(() => this.overlapping.delete(run));
      this.overlapping.add(run);
      this.timer = setTimeout(() => this.tick(), this.everySeconds * 1000);
      return;
    }
    this.running = this.runOnce().finally(() => {
      this.running = undefined;
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.everySeconds * 1000);
    });
  }

  private async runOnce(): Promise<void> {
    const event = toEnvelope({
      id: randomUUID(),
      source: 'aws.events',
      detailType: 'Scheduled Event',
      detail: {},
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
      resources: [localArn.scheduleRule(this.name)],
    });
    this.runs += 1;
    try {
      await invokeFunction(this.target, event, { cutShort: this.stopping.signal });
    } catch (error) {
      this.log('Scheduled run failed', { schedule: this.name, error: String(error) });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopping.abort();
    await Promise.all([this.running, ...this.overlapping]);
  }
}

export interface RunningSchedules {
  /** Runs started so far, per schedule. */
  runs(): Record<string, number>;
  stop(): Promise<void>;
}

/** Starts every schedule of the topology, each at its `localEverySeconds`. */
export function startSchedules(
  topology: Topology,
  functionFor: (name: string) => LocalFunction,
  log: Log,
): RunningSchedules {
  const schedules = Object.entries(topology.schedules).map(
    ([name, spec]) =>
      new Schedule(name, spec.localEverySeconds, functionFor(spec.function), log, spec.alwaysOn),
  );
  for (const schedule of schedules) schedule.start();
  return {
    runs: () => Object.fromEntries(schedules.map((s) => [s.name, s.runs])),
    stop: async () => {
      await Promise.allSettled(schedules.map((s) => s.stop()));
    },
  };
}

import { randomUUID } from 'node:crypto';
import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import { signDevToken } from '../../lambdas/shared/auth/dev-token';
import { loadConfig, tokenConfigSchema } from '../../lambdas/shared/config';
import { OpsError, queueName } from '../../scripts/ops/backend';
import { LocalOpsBackend } from '../../scripts/ops/local-backend';
import { QueueStore } from '../queue-store';
import { renderPage, renderSections } from './page';
import { paymentTimeline } from './queries';
import { type RuntimeStatus, readConsoleState } from './state';

// The local console's HTTP side (docs/architecture.md, "Local console"): `GET /` and `/local/console/...`
// of the local runtime's server only; never a topology route, never deployed.

export interface ConsoleRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
}

export interface ConsoleAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface ConsoleParts {
  /** The runtime's own database (the owner): the local queues' tables, which a redrive writes. */
  db: Database;
  /**
   * The platform's tables, read as the ops CLI's read-only role (docs/architecture.md, "Database roles"):
   * the console can show everything and change nothing of the platform's.
   */
  reads: Database;
  status(): Promise<RuntimeStatus>;
  jwtSecret: string;
  /** Wakes a queue's consumer: redriven messages are taken at once, not at its next idle poll. */
  wake(queue: string): void;
}

/** The most a redrive click moves (one batch, at once); a deeper DLQ takes more clicks or `npm run ops`. */
export const REDRIVE_BATCH = 500;

const json = (status: number, value: unknown): ConsoleAnswer => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify(value),
});
const problem = (status: number, code: string, message: string) => json(status, { error: { code, message } });

export class LocalConsole {
  private readonly ops: LocalOpsBackend;
  private readonly store: QueueStore;

  constructor(private readonly parts: ConsoleParts) {
    // The runtime closes its database itself: the backend must not.
    this.ops = new LocalOpsBackend(parts.db, { close: async () => {} });
    this.store = new QueueStore(parts.db);
  }

  /** Undefined: not a console path (the API gateway emulation takes it). */
  async handle(req: ConsoleRequest): Promise<ConsoleAnswer | undefined> {
    if (req.path !== '/' && !req.path.startsWith('/local/console/')) return undefined;
    const route = `${req.method} ${req.path}`;
    if (route === 'GET /') return this.page(req.query.get('payment') ?? undefined);
    if (route === 'GET /local/console/state') return json(200, await this.state());
    if (route === 'GET /local/console/sections')
      return json(200, await this.sections(req.query.get('payment') ?? undefined));
    const payment = /^\/local\/console\/payments\/([^/]+)$/.exec(req.path);
    if (payment && req.method === 'GET') {
      const timeline = await paymentTimeline(this.parts.reads, decodeURIComponent(payment[1]!));
      return timeline ? json(200, timeline) : problem(404, 'not_found', 'No such payment');
    }
    // Actions: JSON only, so a page of another site cannot send them (its fetch would need CORS).
    if (req.method === 'POST' && !String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return problem(415, 'unsupported_media_type', 'Console actions take Content-Type: application/json');
    if (route === 'POST /local/console/token') return json(200, await this.token());
    const redrive = /^\/local\/console\/dead-letter-queues\/([^/]+)\/redrive$/.exec(req.path);
    if (redrive && req.method === 'POST') return this.redrive(decodeURIComponent(redrive[1]!));
    return problem(404, 'not_found', `No console resource ${req.method} ${req.path}`);
  }

  state() {
    return readConsoleState({
      reads: this.parts.reads,
      status: this.parts.status,
      ops: this.ops,
      store: this.store,
    });
  }

  private async sections(selected: string | undefined) {
    const [state, timeline] = await Promise.all([
      this.state(),
      selected ? paymentTimeline(this.parts.reads, selected) : undefined,
    ]);
    return renderSections(state, timeline, selected);
  }

  private async page(selected: string | undefined): Promise<ConsoleAnswer> {
    const sections = await this.sections(selected);
    return { status: 200, contentType: 'text/html; charset=utf-8', body: renderPage(sections, selected) };
  }

  /** A dev token as `npm run token` signs it: a new user each time, one hour. */
  private async token() {
    const config = loadConfig(tokenConfigSchema, {
      ...process.env,
      APP_STAGE: 'local',
      JWT_SECRET: this.parts.jwtSecret,
    });
    const userId = randomUUID();
    const token = await signDevToken({
      userId,
      secret: this.parts.jwtSecret,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    return { userId, token, expiresInSeconds: 3600 };
  }

  private async redrive(name: string): Promise<ConsoleAnswer> {
    let queue: ReturnType<typeof queueName>;
    try {
      queue = queueName(name);
    } catch (error) {
      if (error instanceof OpsError) return problem(404, 'not_found', error.message);
      throw error;
    }
    const report = await this.ops.redrive(queue, { rate: REDRIVE_BATCH, limit: REDRIVE_BATCH });
    this.parts.wake(queue);
    return json(200, report);
  }
}

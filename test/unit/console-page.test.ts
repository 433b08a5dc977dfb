import type { AddressInfo } from 'node:net';
import { escapeHtml, html, trustedHtml } from '../../local/console/html';
import { renderPage, renderSections, timelineSection } from '../../local/console/page';
import type { ConsoleState } from '../../local/console/state';
import { createLocalHttpServer } from '../../local/http-server';

// The console's rendering (docs/architecture.md, "Local console"): data from the tables is text, never markup.

const HOSTILE = `<script>alert("x")</script>' onmouseover='x' & \``;

function state(overrides: Partial<ConsoleState> = {}): ConsoleState {
  const at = new Date('2026-11-30T12:00:00Z');
  return {
    at,
    payments: [
      {
        id: '11111111-2222-4333-8444-555555555555',
        userId: HOSTILE,
        amount: 4999,
        currency: 'USD',
        status: 'SUCCEEDED',
        description: HOSTILE,
        failureCode: null,
        createdAt: at,
        updatedAt: at,
        riskLevel: 'elevated',
        riskScore: 40,
        riskOutcome: 'allow',
      },
    ],
    paymentsByStatus: { PENDING: 0, SUCCEEDED: 1, FAILED: 0 },
    queues: [{ name: 'payments', visible: 2, inFlight: 1, delayed: 0, oldestAgeSeconds: 3, consumer: 'on' }],
    deadLetterQueues: [
      {
        queue: 'payments',
        deadLetterQueue: 'payments-dlq',
        depth: 1,
        inFlight: 0,
        oldestAgeSeconds: 300,
        samples: [{ messageId: 'abcdef0123', detailType: HOSTILE }],
      },
      {
        queue: 'risk',
        deadLetterQueue: 'risk-dlq',
        depth: 0,
        inFlight: 0,
        oldestAgeSeconds: null,
        samples: [],
      },
    ],
    outbox: {
      unpublished: 1,
      due: 1,
      failing: 1,
      oldestCreatedAt: at,
      oldestAgeSeconds: 61,
      maxAttempts: 2,
      byDetailType: [{ detailType: 'PaymentCreated', count: 1 }],
      lastErrors: [{ error: HOSTILE, count: 1, maxAttempts: 2 }],
    },
    notifications: [
      {
        id: 'n1',
        paymentId: null,
        userId: 'u',
        channel: 'email',
        status: 'sent',
        message: HOSTILE,
        sentAt: at,
      },
    ],
    events: [
      {
        id: 'e1',
        userId: HOSTILE,
        eventType: 'order.shipped',
        message: HOSTILE,
        acceptedAt: at,
        processedAt: at,
      },
    ],
    analytics: [{ day: '2026-11-30', payments: 3, succeeded: 2 }],
    ...overrides,
  };
}

describe('console html', () => {
  it('escapes the characters that end text or an attribute value', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
    expect(escapeHtml(undefined)).toBe('');
  });

  it('escapes every interpolated value but trusted markup, and joins arrays', () => {
    const out = html`<p title="${'"q"'}">${['<i>', html`<b>${'&'}</b>`]}${trustedHtml('<br>')}${null}${7}</p>`;
    expect(out.value).toBe('<p title="&quot;q&quot;">&lt;i&gt;<b>&amp;</b><br>7</p>');
  });
});

describe('console sections', () => {
  const sections = renderSections(state(), undefined, undefined);

  it('never lets data from the tables become markup', () => {
    const all = Object.values(sections).join('\n');
    expect(all).not.toContain('<script>');
    expect(all).not.toContain(`' onmouseover='x'`);
    expect(all).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#39; &amp; &#96;',
    );
  });

  it('shows payments with status and risk, queues, DLQs with a redrive button when not empty', () => {
    expect(sections.payments).toContain('data-payment-id="11111111-2222-4333-8444-555555555555"');
    expect(sections.payments).toContain('data-status="SUCCEEDED"');
    expect(sections.payments).toContain('elevated (40, allow)');
    expect(sections.payments).toContain('SUCCEEDED 1');
    expect(sections.queues).toMatch(/<tr data-queue="payments"><td>payments<\/td><td class="num">2<\/td>/);
    expect(sections.queues).toContain('data-dlq="payments" data-depth="1"');
    expect(sections.queues).toMatch(/data-redrive="payments">Redrive/);
    expect(sections.queues).toMatch(/data-redrive="risk" disabled>Redrive/);
    expect(sections.queues).toContain('5 min');
    expect(sections.outbox).toContain('data-outbox-unpublished="1"');
    expect(sections.analytics).toContain('<svg');
    expect(sections.analytics).toContain('2026-11-30: 3 payments');
  });

  it('says when there is nothing yet', () => {
    const empty = renderSections(
      state({ payments: [], analytics: [], notifications: [], events: [] }),
      undefined,
      undefined,
    );
    expect(empty.payments).toContain('No payments yet.');
    expect(empty.analytics).toContain('No daily stats yet');
    expect(empty.timeline).toContain('Choose a payment');
  });

  it('renders a payment timeline in order, escaped, and says when the payment does not exist', () => {
    const at = new Date('2026-11-30T12:00:00Z');
    const payment = state().payments[0]!;
    const out = timelineSection(
      {
        payment,
        entries: [
          { at, kind: 'payment', what: 'created', detail: '4999 USD' },
          { at, kind: 'notification', what: 'email sent', detail: HOSTILE },
        ],
      },
      payment.id,
    ).value;
    expect(out).toContain('data-timeline-status="SUCCEEDED"');
    expect(out.indexOf('created')).toBeLessThan(out.indexOf('email sent'));
    expect(out).not.toContain('<script>');
    expect(timelineSection(undefined, '<x>').value).toBe('<p>No payment &lt;x&gt;.</p>');
  });

  it('builds the whole page around the sections, with no external resource', () => {
    const page = renderPage(sections, '<sel>');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('data-selected="&lt;sel&gt;"');
    expect(page).toContain('<div id="queues">');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe('local HTTP server and the console', () => {
  async function serve(withConsole: boolean) {
    const seen: string[] = [];
    const server = createLocalHttpServer({
      api: async (req) => {
        seen.push(`api ${req.path}`);
        return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{}' };
      },
      awsServices: [],
      status: async () => ({}),
      console: withConsole
        ? async (req) =>
            req.path === '/'
              ? { status: 200, contentType: 'text/html; charset=utf-8', body: 'console' }
              : undefined
        : undefined,
      log: () => {},
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, seen, close: () => new Promise((done) => server.close(done)) };
  }

  it('hands GET / to the console when there is one, and to the API otherwise', async () => {
    const on = await serve(true);
    const off = await serve(false);
    try {
      const page = await fetch(`${on.url}/`);
      expect(await page.text()).toBe('console');
      expect(page.headers.get('cache-control')).toBe('no-store');
      await fetch(`${on.url}/payments`);
      expect(on.seen).toEqual(['api /payments']);
      expect((await fetch(`${off.url}/`)).status).toBe(404);
      expect(off.seen).toEqual(['api /']);
    } finally {
      await on.close();
      await off.close();
    }
  });
});

import { analyticsChartSvg } from '../../scripts/ops/analytics-chart';
import { type Html, html, trustedHtml } from './html';
import type { PaymentTimeline } from './queries';
import type { ConsoleState } from './state';

// The console's HTML (docs/architecture.md, "Local console"): rendered here, on the server, for the first
// load and for every poll (`GET /local/console/sections`), so one renderer escapes everything.

export const POLL_MS = 1000;

const age = (seconds: number | null) =>
  seconds === null ? '-' : seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min`;
const time = (at: Date) => at.toISOString().slice(11, 19);
const short = (id: string) => id.slice(0, 8);

function paymentsSection(state: ConsoleState, selected: string | undefined): Html {
  const counts = Object.entries(state.paymentsByStatus).map(
    ([status, n]) => html`<span class="count status-${status}">${status} ${n}</span> `,
  );
  const rows = state.payments.map(
    (
      p,
    ) => html`<tr data-payment-id="${p.id}" data-status="${p.status}"${p.id === selected ? trustedHtml(' class="selected"') : ''}>
<td><a href="?payment=${encodeURIComponent(p.id)}" class="select-payment" data-payment-id="${p.id}">${short(p.id)}</a></td>
<td class="status status-${p.status}">${p.status}${p.failureCode ? html` <small>${p.failureCode}</small>` : ''}</td>
<td class="risk risk-${p.riskLevel ?? 'none'}">${p.riskLevel ? `${p.riskLevel} (${p.riskScore}, ${p.riskOutcome})` : '-'}</td>
<td class="num">${p.amount} ${p.currency}</td><td>${p.description ?? ''}</td><td>${time(p.createdAt)}</td></tr>`,
  );
  return html`<p>${counts}</p>
<table><thead><tr><th>payment</th><th>status</th><th>risk</th><th>amount</th><th>description</th><th>created (UTC)</th></tr></thead>
<tbody>${rows.length > 0 ? rows : html`<tr><td colspan="6">No payments yet.</td></tr>`}</tbody></table>`;
}

export function timelineSection(timeline: PaymentTimeline | undefined, selected: string | undefined): Html {
  if (!selected) return html`<p>Choose a payment to see its timeline.</p>`;
  if (!timeline) return html`<p>No payment ${selected}.</p>`;
  const p = timeline.payment;
  const rows = timeline.entries.map(
    (e) =>
      html`<tr class="entry-${e.kind}"><td>${time(e.at)}</td><td>${e.kind}</td><td>${e.what}</td><td>${e.detail}</td></tr>`,
  );
  return html`<p>Payment <code>${p.id}</code> of user <code>${p.userId}</code>: <strong class="status-${p.status}" data-timeline-status="${p.status}">${p.status}</strong></p>
<table><thead><tr><th>at (UTC)</th><th>from</th><th>what</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function queuesSection(state: ConsoleState): Html {
  const queues = state.queues.map(
    (q) =>
      html`<tr data-queue="${q.name}"><td>${q.name}</td><td class="num">${q.visible}</td><td class="num">${q.inFlight}</td><td class="num">${q.delayed}</td><td>${age(q.oldestAgeSeconds)}</td><td>${q.consumer}</td></tr>`,
  );
  const dlqs = state.deadLetterQueues.map(
    (d) => html`<tr data-dlq="${d.queue}" data-depth="${d.depth}"><td>${d.deadLetterQueue}</td>
<td class="num depth">${d.depth}</td><td class="num">${d.inFlight}</td><td>${age(d.oldestAgeSeconds)}</td>
<td>${d.samples.map((m) => html`<div><code>${short(m.messageId)}</code> ${m.detailType ?? 'not an event'}${m.paymentId ? html` (payment ${short(m.paymentId)})` : ''}</div>`)}</td>
<td><button type="button" data-redrive="${d.queue}"${d.depth === 0 ? trustedHtml(' disabled') : ''}>Redrive</button></td></tr>`,
  );
  return html`<table><thead><tr><th>queue</th><th>waiting</th><th>in flight</th><th>delayed</th><th>oldest</th><th>consumer</th></tr></thead><tbody>${queues}</tbody></table>
<table><thead><tr><th>dead-letter queue</th><th>depth</th><th>in flight</th><th>oldest</th><th>oldest messages</th><th></th></tr></thead><tbody>${dlqs}</tbody></table>`;
}

function outboxSection(state: ConsoleState): Html {
  const o = state.outbox;
  return html`<p data-outbox-unpublished="${o.unpublished}"><strong>${o.unpublished}</strong> unpublished event(s), ${o.due} due now, ${o.failing} failing; oldest ${age(o.oldestAgeSeconds)}.</p>
${o.byDetailType.length > 0 ? html`<p>${o.byDetailType.map((d) => html`${d.detailType} ${d.count}; `)}</p>` : ''}
${o.lastErrors.map((e) => html`<p class="error">${e.count} x ${e.error} (up to ${e.maxAttempts} attempts)</p>`)}`;
}

function notificationsSection(state: ConsoleState): Html {
  const rows = state.notifications.map(
    (n) =>
      html`<tr><td>${time(n.sentAt)}</td><td>${n.channel}</td><td>${n.status}</td><td>${n.paymentId ? short(n.paymentId) : 'event'}</td><td>${n.message}</td></tr>`,
  );
  return html`<table><thead><tr><th>sent (UTC)</th><th>channel</th><th>status</th><th>for</th><th>message</th></tr></thead>
<tbody>${rows.length > 0 ? rows : html`<tr><td colspan="5">None yet.</td></tr>`}</tbody></table>`;
}

function eventsSection(state: ConsoleState): Html {
  const rows = state.events.map(
    (e) =>
      html`<tr data-event-id="${e.id}"><td>${time(e.processedAt)}</td><td>${e.eventType}</td><td><code>${e.userId}</code></td><td>${e.message}</td></tr>`,
  );
  return html`<table><thead><tr><th>processed (UTC)</th><th>type</th><th>user</th><th>message</th></tr></thead>
<tbody>${rows.length > 0 ? rows : html`<tr><td colspan="4">None yet (POST /events).</td></tr>`}</tbody></table>`;
}

function analyticsSection(state: ConsoleState): Html {
  if (state.analytics.length === 0) return html`<p>No daily stats yet: the analytics run fills them.</p>`;
  // Our own SVG: its only data are day strings and numbers.
  return trustedHtml(analyticsChartSvg(state.analytics));
}

export type SectionName =
  | 'payments'
  | 'timeline'
  | 'queues'
  | 'outbox'
  | 'notifications'
  | 'events'
  | 'analytics';

/** Each section's inner HTML, as the page swaps them in on every poll. */
export function renderSections(
  state: ConsoleState,
  timeline: PaymentTimeline | undefined,
  selected: string | undefined,
): Record<SectionName, string> {
  return {
    payments: paymentsSection(state, selected).value,
    timeline: timelineSection(timeline, selected).value,
    queues: queuesSection(state).value,
    outbox: outboxSection(state).value,
    notifications: notificationsSection(state).value,
    events: eventsSection(state).value,
    analytics: analyticsSection(state).value,
  };
}

const TITLES: Record<SectionName, string> = {
  payments: 'Payments',
  timeline: 'Timeline',
  queues: 'Queues and dead-letter queues',
  outbox: 'Outbox lag',
  notifications: 'Recent notifications',
  events: 'Recent events (POST /events)',
  analytics: 'Analytics',
};

export function renderPage(sections: Record<SectionName, string>, selected: string | undefined): string {
  const boxes = (Object.keys(TITLES) as SectionName[]).map(
    (name) =>
      html`<section><h2>${TITLES[name]}</h2><div id="${name}">${trustedHtml(sections[name])}</div></section>`,
  );
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Payments platform: local console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${trustedHtml(STYLE)}</style></head>
<body data-selected="${selected ?? ''}">
<header><h1>Local console</h1><nav><a href="/docs">API reference</a> · <a href="/local/status">/local/status</a> · <a href="/local/console/state">state (JSON)</a></nav></header>
<section><h2>New payment</h2>
<form id="new-payment"><label>amount (minor units) <input name="amount" type="number" min="1" value="4999" required></label>
<label>currency <input name="currency" value="USD" size="4" required></label>
<label>description <input name="description" value="From the console"></label>
<button type="submit">Create payment</button></form>
<p id="create-result" role="status"></p>
<details id="api-view-box"><summary>Through the API: <code>GET /payments/{id}</code> with the page's token</summary><pre id="api-view"></pre></details>
<details><summary>Dev token</summary><p>User <code id="token-user"></code>; paste the token into /docs's Authorize:</p><textarea id="token" readonly rows="3" cols="80"></textarea></details>
<p id="action-result" role="status"></p></section>
<main>${boxes}</main>
<script>${trustedHtml(SCRIPT)}</script></body></html>
`.value;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1rem 2rem;color:#222;background:#fafafa}
header{display:flex;align-items:baseline;gap:2rem}h1{font-size:1.4rem;margin:0}h2{font-size:1.05rem;margin:.2rem 0 .4rem}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:1rem}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6rem .9rem;margin-bottom:1rem;overflow:auto}
table{border-collapse:collapse;width:100%;margin-bottom:.5rem}th,td{text-align:left;padding:2px 6px;border-bottom:1px solid #eee;vertical-align:top}
.num{text-align:right}.status-SUCCEEDED{color:#17733a}.status-FAILED{color:#b3261e}.status-PENDING{color:#8a6d00}
.risk-elevated{color:#8a6d00}.risk-highest{color:#b3261e}.count{margin-right:1rem;font-weight:600}
tr.selected{background:#eef4ff}#analytics svg{max-width:100%;height:auto}.error{color:#b3261e}form label{margin-right:.8rem}code{font-size:12px}
`;

// Polls the sections, signs a dev token on load (POST /local/console/token) and creates payments through
// the real API with it. Plain DOM: text goes in with textContent, markup only from the server's renderer.
const SCRIPT = `
(() => {
  const $ = (id) => document.getElementById(id);
  let selected = document.body.dataset.selected || '';
  let token = '';
  const shown = new Map();
  const mine = new Set(); // payments this page created: its token may read them through the API
  const uuid = () => (crypto.randomUUID ? crypto.randomUUID() :
    ([1e7]+-1e3+-4e3+-8e3+-1e11).replace(/[018]/g, (c) => (c ^ crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> c / 4).toString(16)));
  const say = (id, text) => { $(id).textContent = text; };
  async function refresh() {
    try {
      const res = await fetch('/local/console/sections' + (selected ? '?payment=' + encodeURIComponent(selected) : ''));
      if (!res.ok) return;
      const sections = await res.json();
      for (const [name, markup] of Object.entries(sections)) {
        const box = $(name);
        // Only what changed: a swap under the pointer would eat a click.
        if (box && shown.get(name) !== markup) { box.innerHTML = markup; shown.set(name, markup); }
      }
    } catch (e) { /* the runtime is restarting: the next poll tries again */ }
    if (mine.has(selected)) {
      const res = await fetch('/payments/' + encodeURIComponent(selected), { headers: { authorization: 'Bearer ' + token } }).catch(() => undefined);
      if (res) say('api-view', res.status + ' ' + JSON.stringify(await res.json().catch(() => null), null, 2));
    }
  }
  async function signToken() {
    const res = await fetch('/local/console/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const body = await res.json();
    token = body.token;
    $('token').value = token;
    say('token-user', body.userId);
  }
  $('new-payment').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const payment = { amount: Number(form.get('amount')), currency: String(form.get('currency')) };
    if (form.get('description')) payment.description = String(form.get('description'));
    if (!token) await signToken();
    const res = await fetch('/payments', { method: 'POST', body: JSON.stringify(payment),
      headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json', 'idempotency-key': uuid() } });
    const body = await res.json().catch(() => ({}));
    if (res.status === 201) { selected = body.id; mine.add(body.id); $('api-view-box').open = true; say('create-result', res.status + ': payment ' + body.id + ' ' + body.status); }
    else say('create-result', res.status + ': ' + (body.error ? body.error.code + ': ' + body.error.message : 'failed'));
    refresh();
  });
  document.addEventListener('click', async (event) => {
    const link = event.target.closest('a.select-payment');
    if (link) { event.preventDefault(); selected = link.dataset.paymentId; history.replaceState(null, '', '?payment=' + selected); refresh(); return; }
    const button = event.target.closest('button[data-redrive]');
    if (!button) return;
    button.disabled = true;
    const res = await fetch('/local/console/dead-letter-queues/' + encodeURIComponent(button.dataset.redrive) + '/redrive',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const body = await res.json().catch(() => ({}));
    say('action-result', res.ok ? 'Redrive ' + body.queue + ': ' + body.moved + ' moved back, ' + body.remaining + ' left'
      : res.status + ': ' + (body.error ? body.error.message : 'failed'));
    refresh();
  });
  signToken().catch(() => say('create-result', 'Could not sign a dev token'));
  setInterval(refresh, ${POLL_MS});
})();
`;

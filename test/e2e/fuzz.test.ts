import { runFuzz } from '../../local/fuzz/run';

// A reduced `npm run fuzz`: 500 hostile HTTP requests over every route, through the local runtime.

describe('HTTP fuzzing (500 cases, every route)', () => {
  let summary: Awaited<ReturnType<typeof runFuzz>>;

  beforeAll(async () => {
    summary = await runFuzz({ runs: 500, seed: 20_261_121 });
  }, 5 * 60_000);

  it('finds no 5xx, no malformed error, no row from a rejected request and no leak', () => {
    expect(summary.failure).toBeUndefined();
    expect(summary.ok).toBe(true);
    expect(summary.cases).toBe(500);
    expect(Object.keys(summary.statuses).filter((s) => Number(s) >= 500)).toEqual([]);
  });

  it('reached every route and the authorizer', () => {
    expect(Object.keys(summary.targets).sort()).toEqual([
      'GET /accounts/{user_id}/balance',
      'GET /docs',
      'GET /docs/{asset}',
      'GET /events',
      'GET /events/{id}',
      'GET /health',
      'GET /notifications',
      'GET /openapi.json',
      'GET /payments',
      'GET /payments/{id}',
      'POST /events',
      'POST /payments',
      'other method or path',
    ]);
    for (const status of ['200', '201', '202', '400', '401', '403', '404', '413', '415', '431']) {
      expect(summary.statuses[status]).toBeGreaterThan(0);
    }
  });
});

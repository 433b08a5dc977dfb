import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { createEventBridgePublisher } from '../../lambdas/shared/adapters/eventbridge/publisher';

/**
 * A bus endpoint that accepts connections and never answers: without a request timeout the SDK would wait
 * forever, and the API would hit its own timeout (a 5xx) instead of answering 503.
 */
describe('EventBridge publisher against a bus that never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  const saved = { ...process.env };

  beforeAll(async () => {
    server = createServer((socket) => sockets.add(socket)); // read nothing, answer nothing
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
  });

  afterAll(async () => {
    process.env = saved;
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reports every entry failed instead of hanging', async () => {
    const event = { eventId: 'e-1', source: 'payments.api', detailType: 'Probe', detail: { probe: true } };
    const outcome = await createEventBridgePublisher('payments').publish([event]);
    expect(outcome.published).toEqual([]);
    expect(outcome.failed).toHaveLength(1);
    expect(outcome.failed[0]?.error).toMatch(/timeout|timed out|socket/i);
    expect(sockets.size).toBeGreaterThan(0); // it did reach the silent endpoint
  }, 30_000);
});

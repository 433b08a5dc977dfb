import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayResponse } from './api-gateway';
import { errorResponse, gatewayError } from './api-gateway';
import type { IncomingRequest } from './api-gateway-event';
import { type AwsJsonService, serveAwsJson } from './aws-json';
import type { ConsoleAnswer, ConsoleRequest } from './console/server';

// One HTTP server for everything local: AWS JSON calls (told apart by X-Amz-Target), the read-only
// status page, the console (`GET /`, `/local/console/...`) and the API behind the gateway emulation.

/** API Gateway's request payload limit. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface LocalHttpServerOptions {
  /** Undefined: the request is not taken (the runtime is stopping); its connection is dropped. */
  api(req: IncomingRequest): Promise<GatewayResponse | undefined>;
  awsServices: readonly AwsJsonService[];
  status(): Promise<unknown>;
  /** `PUT /local/faults` (only with LOCAL_FAULTS): changes fault rates while running, e.g. ends a bus outage. */
  updateFaults?(body: string): unknown;
  /**
   * The local console (docs/architecture.md, "Local console"); undefined: not one of its paths. Without it,
   * `GET /` goes to the API as any other path.
   */
  console?(req: ConsoleRequest): Promise<ConsoleAnswer | undefined>;
  log: (message: string, fields?: Record<string, unknown>) => void;
  maxBodyBytes?: number;
}

function send(res: ServerResponse, response: GatewayResponse): void {
  res.writeHead(response.statusCode, response.headers);
  res.end(response.body);
}

/**
 * Reads the body, or undefined when it is over `limit`. An oversized body is still read to its end
 * (and dropped) before the 413 goes out: closing on a client that is still sending resets the
 * connection, and the client then sees EPIPE instead of the answer. Past 4x the limit we give up.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4 * limit) {
      req.socket.destroy();
      return undefined;
    }
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? undefined : Buffer.concat(chunks);
}

export function createLocalHttpServer(options: LocalHttpServerOptions): Server {
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req, limit);
    if (body === undefined) {
      if (!req.socket.destroyed)
        send(res, gatewayError('REQUEST_TOO_LARGE', { rawHeaders: req.rawHeaders, requestId }));
      return;
    }
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && req.method === 'POST') {
      const service = options.awsServices.find((s) => target.startsWith(`${s.targetPrefix}.`));
      if (service) return serveAwsJson(service, target, body.toString('utf8'), res);
    }
    if (req.method === 'GET' && url.pathname === '/local/status') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(await options.status(), null, 2));
      return;
    }
    if (req.method === 'PUT' && url.pathname === '/local/faults' && options.updateFaults) {
      try {
        const rates = options.updateFaults(body.toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(rates));
      } catch (error) {
        send(res, errorResponse(400, 'validation_error', (error as Error).message, requestId));
      }
      return;
    }
    const page = await options.console?.({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
    });
    if (page) {
      res.writeHead(page.status, {
        'content-type': page.contentType,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-correlation-id': requestId,
      });
      res.end(page.body);
      return;
    }
    const answer = await options.api({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      rawHeaders: req.rawHeaders,
      body: body.toString('utf8'),
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      requestId,
    });
    if (answer) send(res, answer);
    else req.socket.destroy();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log('Request failed', { error: String(error) });
      const failed = gatewayError('DEFAULT_5XX', { rawHeaders: req.rawHeaders, requestId: randomUUID() });
      if (!res.headersSent) send(res, failed);
      else res.destroy();
    });
  });
  server.on('clientError', answerUnparsable);
  return server;
}

/**
 * A request Node cannot parse (headers over its 16 KB limit, a broken request line) gets the platform's
 * error shape too, as API Gateway's own 4xx responses do, instead of Node's bare status line.
 */
function answerUnparsable(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // Node's own limits (16 KB of headers): no headers to read a correlation id from, so a new one.
  const [status, reason] =
    error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
  const answer = gatewayError('DEFAULT_4XX', { rawHeaders: [], requestId: randomUUID() }, { status });
  const headers = Object.entries(answer.headers).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n${headers.join('')}` +
      `content-length: ${Buffer.byteLength(answer.body)}\r\nconnection: close\r\n\r\n${answer.body}`,
  );
}

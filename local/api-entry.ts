import { type ApiGatewayOptions, type GatewayResponse, handleApiRequest } from './api-gateway';
import type { IncomingRequest } from './api-gateway-event';
import { AuthorizerCache } from './authorizer-cache';
import type { LocalFunction } from './lambda-context';

// Where HTTP requests enter the local API Gateway: they wait while the handlers load (as in a Lambda
// cold start, so a client retrying after a crash is not told 503 by the runtime coming back), and are
// drained before a stop.

export class ApiEntry {
  private functionFor: ((name: string) => LocalFunction) | undefined;
  private opened: () => void = () => {};
  private readonly loading = new Promise<void>((resolve) => {
    this.opened = resolve;
  });
  private draining = false;
  private readonly inFlight = new Set<Promise<GatewayResponse>>();
  private readonly authorizerCache = new AuthorizerCache();

  constructor(private readonly gateway: Omit<ApiGatewayOptions, 'functionFor' | 'authorizerCache'>) {}

  /** The handlers are loaded: serve (and release the requests that waited). */
  open(functionFor: (name: string) => LocalFunction): void {
    this.functionFor = functionFor;
    this.opened();
  }

  /**
   * Undefined while draining: the request is not taken and its connection is dropped, as by a runtime
   * that already stopped (a 503 would tell a client its accepted request failed); it retries with its key.
   */
  async handle(req: IncomingRequest): Promise<GatewayResponse | undefined> {
    if (!this.functionFor && !this.draining) await this.loading;
    if (this.draining || !this.functionFor) return undefined;
    const work = handleApiRequest(req, {
      ...this.gateway,
      functionFor: this.functionFor,
      authorizerCache: this.authorizerCache,
    });
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  /** Refuses new requests and waits for the ones in flight. */
  async drain(): Promise<void> {
    this.draining = true;
    this.opened();
    await Promise.allSettled([...this.inFlight]);
  }
}

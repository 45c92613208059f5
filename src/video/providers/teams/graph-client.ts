import {
  Client,
  type Context,
  HTTPMessageHandler,
  type Middleware,
  RetryHandler,
  RetryHandlerOptions,
} from '@microsoft/microsoft-graph-client';
import type { AppConfig } from '../../../config/app-config.js';

/** The longest Retry-After waited for inside a request; longer ones go up to the job layer. */
const MAX_IN_REQUEST_WAIT_SECONDS = 5;

/**
 * Bearer auth as our own middleware: graph-client's AuthenticationHandler only sends the token to https Graph
 * hosts, which would drop it on a gateway or the plain-http sandbox.
 */
class BearerToken implements Middleware {
  private next?: Middleware;

  constructor(private readonly accessToken: string) {}

  async execute(context: Context): Promise<void> {
    const headers = new Headers(context.options?.headers as ConstructorParameters<typeof Headers>[0]);
    headers.set('Authorization', `Bearer ${this.accessToken}`);
    context.options = { ...context.options, headers: Object.fromEntries(headers) };
    await this.next!.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

export function graphBaseUrl(config: AppConfig): string {
  return (config.microsoft.apiBaseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
}

/** A Graph client for one user's token: auth -> RetryHandler (429/503/504, short Retry-After only) -> HTTP. */
export function graphClientFor(config: AppConfig, accessToken: string): Client {
  const auth = new BearerToken(accessToken);
  const retry = new RetryHandler(
    new RetryHandlerOptions(1, 3, (_delay, _attempt, _request, _options, response) => {
      const after = Number(response.headers.get('retry-after') ?? 0);
      return !Number.isFinite(after) || after <= MAX_IN_REQUEST_WAIT_SECONDS;
    }),
  );
  auth.setNext(retry);
  retry.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({ middleware: auth, baseUrl: `${graphBaseUrl(config)}/`, defaultVersion: 'v1.0' });
}

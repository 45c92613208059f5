import { Client, type Context, HTTPMessageHandler, type Middleware, RetryHandler, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';

/**
 * Puts the bearer token on every request. The SDK's own AuthenticationHandler attaches it only to https Graph
 * hosts, which drops it for a self-hosted gateway or the plain-http sandbox; this one always sends it to our base.
 */
class BearerMiddleware implements Middleware {
  private next?: Middleware;

  constructor(private readonly accessToken: string) {}

  async execute(context: Context): Promise<void> {
    const options = (context.options ??= {});
    const headers = new Headers(options.headers as ConstructorParameters<typeof Headers>[0]);
    headers.set('Authorization', `Bearer ${this.accessToken}`);
    options.headers = Object.fromEntries(headers.entries());
    await this.next!.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** auth -> RetryHandler (honours Retry-After on 429/503/504) -> HTTPMessageHandler (fetch). */
export function graphClient(baseUrl: string, accessToken: string): Client {
  const auth = new BearerMiddleware(accessToken);
  const retry = new RetryHandler(new RetryHandlerOptions(1, 2));
  auth.setNext(retry);
  retry.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({ middleware: auth, baseUrl, defaultVersion: 'v1.0' });
}

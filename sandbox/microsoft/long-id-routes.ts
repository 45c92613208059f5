/**
 * Outlook event ids and Teams meeting ids are 130-160 characters long, past Fastify's default maxParamLength (100),
 * beyond which a `:param` route silently does not match. Routes that carry such ids are registered as wildcards
 * here and matched segment by segment instead.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (request: any, reply: FastifyReply) => unknown;

interface LongIdRoute {
  method: Method;
  /** segments after the prefix, ':name' for a parameter, e.g. [':meetingId', 'attendanceReports', ':reportId'] */
  pattern: string[];
  handler: Handler;
}

export class LongIdRouter {
  private routes = new Map<string, LongIdRoute[]>();

  /** e.g. add('GET', '/v1.0/me/onlineMeetings', ':meetingId/attendanceReports/:reportId', handler) */
  add(method: Method, prefix: string, pattern: string, handler: Handler): void {
    this.routes.set(prefix, [...(this.routes.get(prefix) ?? []), { method, pattern: pattern.split('/'), handler }]);
  }

  register(app: FastifyInstance): void {
    for (const [prefix, routes] of this.routes) {
      const methods = [...new Set(routes.map((route) => route.method))];
      app.route({
        method: methods,
        url: `${prefix}/*`,
        handler: async (request, reply) => {
          const rest = (request.params as { '*': string })['*'];
          const segments = rest.split('/').map((segment) => decodeURIComponent(segment));
          for (const route of routes) {
            if (route.method !== request.method || route.pattern.length !== segments.length) continue;
            const params: Record<string, string> = { ...(request.params as Record<string, string>) };
            const matches = route.pattern.every((part, index) => {
              if (part.startsWith(':')) {
                params[part.slice(1)] = segments[index];
                return segments[index].length > 0;
              }
              return part === segments[index];
            });
            if (!matches) continue;
            request.params = params;
            return route.handler(request, reply);
          }
          return reply.callNotFound();
        },
      });
    }
  }
}

/**
 * The Google emulator: OAuth 2.0 (accounts.google.com + oauth2.googleapis.com), OpenID userinfo and Calendar v3
 * events with push channels, all on one origin with Google's paths. See sandbox/README.md, "Google".
 */
import type { calendar_v3 } from '@googleapis/calendar';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext, EmulatorDefinition } from '../core/contract.js';
import { OAuthServer, registerOAuthRoutes, type OAuthClient, type SandboxUser } from '../core/oauth.js';
import { CalendarStore, type ListQuery } from './calendar-store.js';
import { googleError, googleErrorBody, notFound } from './errors.js';
import { GoogleIdTokenSigner, googleOAuthFlavor } from './oauth-flavor.js';
import { PushChannels } from './push.js';

export const GOOGLE_SANDBOX_CLIENT: OAuthClient = {
  clientId: 'sandbox-google-client-id',
  clientSecret: 'sandbox-google-client-secret',
};

export interface GoogleEmulatorOptions {
  /** OAuth clients accepted (default: the sandbox client) */
  clients?: OAuthClient[];
  /** test users; the first consents when no login_hint is given */
  users?: SandboxUser[];
}

export interface ExternalChange {
  action: 'move' | 'delete' | 'update';
  start?: calendar_v3.Schema$EventDateTime;
  end?: calendar_v3.Schema$EventDateTime;
  /** for 'update': fields to patch as the owner would in Google Calendar */
  fields?: calendar_v3.Schema$Event;
}

const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

export function createGoogleEmulator(options: GoogleEmulatorOptions = {}): EmulatorDefinition & {
  oauth(): OAuthServer;
  calendars(): CalendarStore;
  channels(): PushChannels;
} {
  const signer = new GoogleIdTokenSigner();
  let oauth: OAuthServer | undefined;
  let store: CalendarStore | undefined;
  let push: PushChannels | undefined;
  const ready = <T>(value: T | undefined): T => {
    if (!value) throw new Error('the Google emulator is not registered yet');
    return value;
  };

  return {
    name: 'google',
    defaultQuota: { limit: 1_000_000, windowMs: 24 * 3600 * 1000 },
    errorResponse: (status, message) => ({ body: googleErrorBody(status, message) }),
    register(app: FastifyInstance, ctx: EmulatorContext) {
      oauth = new OAuthServer({
        flavor: googleOAuthFlavor(signer, ctx.now),
        clients: options.clients ?? [GOOGLE_SANDBOX_CLIENT],
        users: options.users,
        ctx,
      });
      push = new PushChannels(ctx);
      const channels = push;
      store = new CalendarStore(ctx.now, (calendarId, event, change) => {
        ctx.recordActivity({ kind: 'event', summary: `event ${change}: ${calendarId}/${event.id} "${event.summary ?? ''}"`, detail: event });
        channels.calendarChanged(calendarId);
      });
      registerRoutes(app, ctx, oauth, store, push, signer);
    },
    reset() {
      oauth?.reset();
      store?.reset();
      push?.reset();
    },
    oauth: () => ready(oauth),
    calendars: () => ready(store),
    channels: () => ready(push),
  };
}

function registerRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext,
  oauth: OAuthServer,
  store: CalendarStore,
  push: PushChannels,
  signer: GoogleIdTokenSigner,
): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  registerOAuthRoutes(app, oauth, { authorize: '/o/oauth2/v2/auth', token: '/token', revoke: '/revoke' });
  app.get('/oauth2/v3/certs', async () => signer.jwks());
  app.get('/oauth2/v1/certs', async () => signer.pemCerts());

  // tokeninfo and userinfo answer OAuth-style errors, not the Google API error envelope
  const tokenInfo = async (request: FastifyRequest<{ Querystring: { access_token?: string } }>, reply: import('fastify').FastifyReply) => {
    const bearer = request.query.access_token ? `Bearer ${request.query.access_token}` : request.headers.authorization;
    const principal = oauth.verify(bearer);
    if ('failure' in principal) return reply.code(400).send({ error: 'invalid_token', error_description: 'Invalid Value' });
    const expiresIn = Math.max(0, Math.floor((tokenExpiry(oauth, principal.accessToken, ctx) - ctx.now()) / 1000));
    return {
      azp: principal.clientId,
      aud: principal.clientId,
      sub: principal.user?.id,
      scope: principal.scope,
      exp: String(Math.floor(ctx.now() / 1000) + expiresIn),
      expires_in: String(expiresIn),
      email: principal.user?.email,
      email_verified: 'true',
      access_type: 'offline',
    };
  };
  app.get('/tokeninfo', tokenInfo);
  app.post('/tokeninfo', tokenInfo);

  app.get('/oauth2/v3/userinfo', async (request, reply) => {
    const principal = oauth.verify(request.headers.authorization);
    if ('failure' in principal || !principal.user) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="https://accounts.google.com/", error="invalid_token"')
        .send({ error: 'invalid_request', error_description: 'Invalid Credentials' });
    }
    const { user } = principal;
    const [givenName, ...family] = user.name.split(' ');
    return {
      sub: user.id,
      name: user.name,
      given_name: givenName,
      family_name: family.join(' ') || undefined,
      picture: `https://lh3.googleusercontent.com/a/sandbox-${user.id}`,
      email: user.email,
      email_verified: true,
    };
  });

  app.register(async (api) => {
    api.addHook('preHandler', oauth.guard());
    api.addHook('preHandler', async (request) => {
      const scopes = oauth.principal(request).scope.split(' ');
      if (!scopes.some((scope) => scope.startsWith(CALENDAR_SCOPE))) {
        throw googleError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.');
      }
    });
    const ownerOf = (request: FastifyRequest) => oauth.principal(request).user?.email ?? 'primary';
    const calendarOf = (request: FastifyRequest<{ Params: { calendarId: string } }>) => {
      const owner = ownerOf(request);
      const requested = request.params.calendarId;
      if (requested !== 'primary' && requested.toLowerCase() !== owner.toLowerCase()) throw notFound();
      return owner.toLowerCase();
    };
    type EventRoute = { Params: { calendarId: string; eventId: string }; Querystring: { conferenceDataVersion?: string }; Body: calendar_v3.Schema$Event };
    const writeOptions = (request: FastifyRequest<EventRoute>) => ({ conferenceDataVersion: Number(request.query.conferenceDataVersion ?? 0) });
    const base = '/calendar/v3/calendars/:calendarId/events';

    api.get<{ Params: { calendarId: string } }>('/calendar/v3/calendars/:calendarId', async (request) => {
      const id = calendarOf(request);
      return { kind: 'calendar#calendar', etag: '"sandbox"', id, summary: id, timeZone: 'UTC' } satisfies calendar_v3.Schema$Calendar;
    });
    api.get('/calendar/v3/users/me/calendarList', async (request) => {
      const id = ownerOf(request).toLowerCase();
      const entry: calendar_v3.Schema$CalendarListEntry = {
        kind: 'calendar#calendarListEntry',
        id,
        summary: id,
        timeZone: 'UTC',
        accessRole: 'owner',
        primary: true,
      };
      return { kind: 'calendar#calendarList', etag: '"sandbox"', items: [entry] } satisfies calendar_v3.Schema$CalendarList;
    });
    api.post<EventRoute>(base, async (request) =>
      store.insert(calendarOf(request), request.body ?? {}, writeOptions(request), ownerOf(request)),
    );
    api.get<EventRoute & { Querystring: ListQuery }>(base, async (request) => store.list(calendarOf(request), request.query));
    api.post<{ Params: { calendarId: string }; Body: calendar_v3.Schema$Channel }>(`${base}/watch`, async (request) =>
      push.watch(calendarOf(request), request.body),
    );
    api.get<EventRoute>(`${base}/:eventId`, async (request) => store.get(calendarOf(request), request.params.eventId));
    api.patch<EventRoute>(`${base}/:eventId`, async (request) =>
      store.patch(calendarOf(request), request.params.eventId, request.body ?? {}, writeOptions(request)),
    );
    api.put<EventRoute>(`${base}/:eventId`, async (request) =>
      store.update(calendarOf(request), request.params.eventId, request.body ?? {}, writeOptions(request)),
    );
    api.delete<EventRoute>(`${base}/:eventId`, async (request, reply) => {
      store.delete(calendarOf(request), request.params.eventId);
      return reply.code(204).send();
    });
    api.post<{ Body: calendar_v3.Schema$Channel }>('/calendar/v3/channels/stop', async (request, reply) => {
      push.stop(request.body);
      return reply.code(204).send();
    });
  });

  registerGoogleControls(app, oauth, store, push);
}

/** provider-specific controls under /__sandbox/ (not journaled, not rate limited) */
function registerGoogleControls(app: FastifyInstance, oauth: OAuthServer, store: CalendarStore, push: PushChannels): void {
  const calendarKey = (calendarId: string) => (calendarId === 'primary' ? oauth.user().email : calendarId).toLowerCase();

  app.get<{ Querystring: { calendarId?: string } }>('/__sandbox/events', async (request) => ({
    events: store.allEvents(request.query.calendarId ? calendarKey(request.query.calendarId) : undefined),
  }));
  app.post<{ Params: { calendarId: string; eventId: string }; Body: ExternalChange }>(
    '/__sandbox/events/:calendarId/:eventId/external-change',
    async (request, reply) => {
      const calendarId = calendarKey(request.params.calendarId);
      const { eventId } = request.params;
      const change = request.body ?? ({} as ExternalChange);
      if (change.action === 'delete') {
        store.delete(calendarId, eventId);
        return store.get(calendarId, eventId);
      }
      if (change.action === 'move') {
        const current = store.get(calendarId, eventId);
        const shift = (time: calendar_v3.Schema$EventDateTime | undefined) =>
          time?.dateTime ? { ...time, dateTime: new Date(Date.parse(time.dateTime) + 3600_000).toISOString() } : time;
        return store.patch(calendarId, eventId, { start: change.start ?? shift(current.start), end: change.end ?? shift(current.end) }, {});
      }
      if (change.action === 'update') return store.patch(calendarId, eventId, change.fields ?? {}, {});
      return reply.code(400).send({ error: "action must be 'move', 'delete' or 'update'" });
    },
  );
  app.post<{ Params: { calendarId: string } }>('/__sandbox/calendars/:calendarId/invalidate-sync-tokens', async (request) => {
    store.invalidateSyncTokens(calendarKey(request.params.calendarId));
    return { ok: true };
  });
  app.get('/__sandbox/channels', async () => ({ channels: push.list() }));
  app.get('/__sandbox/deliveries', async () => ({ deliveries: push.deliveries() }));
  app.get('/__sandbox/users', async () => ({ defaultUser: oauth.user() }));
}

function tokenExpiry(oauth: OAuthServer, accessToken: string, ctx: EmulatorContext): number {
  return oauth.expiryOf(accessToken) ?? ctx.now();
}

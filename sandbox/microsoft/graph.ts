/**
 * Graph v1.0 routes: the signed-in user, Outlook events (with Teams links and single-value extended properties),
 * Teams online meetings with attendance reports and recordings, and subscriptions. Every route exists under
 * /v1.0/me/... (delegated tokens) and /v1.0/users/{id | userPrincipalName}/... (any token).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Event, OnlineMeeting, Subscription } from '@microsoft/microsoft-graph-types';
import type { EmulatorContext } from '../core/contract.js';
import type { Account, Directory } from './directory.js';
import { graphError, notFound } from './graph-errors.js';
import type { Caller, MicrosoftIdentity } from './identity.js';
import type { Mailbox, StoredEvent, StoredMeeting } from './mailbox.js';
import type { Subscriptions } from './subscriptions.js';
import { LongIdRouter } from './long-id-routes.js';

type Query = Record<string, string | undefined>;
type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Query; Body: unknown }>;

const DEFAULT_PAGE_SIZE = 10;
const QUOTED = `'((?:[^']|'')*)'`;
const EXTENDED_PROPERTY_FILTER = new RegExp(
  `^singleValueExtendedProperties/any\\(\\s*(\\w+)\\s*:\\s*\\1/id\\s+eq\\s+${QUOTED}\\s+and\\s+\\1/value\\s+eq\\s+${QUOTED}\\s*\\)$`,
  'i',
);
const EXTENDED_PROPERTY_EXPAND = new RegExp(`^singleValueExtendedProperties\\(\\$filter=id\\s+eq\\s+${QUOTED}\\)$`, 'i');
const JOIN_WEB_URL_FILTER = new RegExp(`^JoinWebUrl\\s+eq\\s+${QUOTED}$`, 'i');

const unquote = (value: string) => value.replace(/''/g, "'");

interface Deps {
  ctx: () => EmulatorContext;
  directory: Directory;
  identity: MicrosoftIdentity;
  mailbox: Mailbox;
  subscriptions: Subscriptions;
}

export function registerGraphRoutes(app: FastifyInstance, deps: Deps): void {
  const { directory, identity, mailbox, subscriptions } = deps;
  const longIds = new LongIdRouter();
  const base = () => deps.ctx().baseUrl();

  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/v1.0/')) return;
    const requestId = (reply.getHeader('request-id') as string | undefined) ?? crypto.randomUUID();
    reply.header('request-id', requestId);
    reply.header('client-request-id', (request.headers['client-request-id'] as string | undefined) ?? requestId);
  });

  const ownerOf = (request: Req, caller: Caller): Account => {
    const userId = request.params.userId;
    if (userId === undefined) {
      if (!caller.account) throw graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
      return caller.account;
    }
    const owner = directory.find(userId);
    if (!owner) throw graphError(404, 'ErrorInvalidUser', `The requested user '${userId}' is invalid.`);
    if (caller.account && caller.account.id !== owner.id) {
      throw graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    return owner;
  };

  const context = (owner: Account, suffix: string) =>
    `${base()}/v1.0/$metadata#users('${encodeURIComponent(owner.email)}')/${suffix}`;

  const render = (stored: StoredEvent, query: Query) => {
    const event: Record<string, unknown> = { '@odata.etag': `W/"${stored.event.changeKey}"`, ...stored.event };
    const select = query.$select?.split(',').map((field) => field.trim()).filter(Boolean);
    if (select?.length) {
      for (const key of Object.keys(event)) if (key !== 'id' && key !== '@odata.etag' && !select.includes(key)) delete event[key];
    }
    if (query.$expand) {
      const expand = EXTENDED_PROPERTY_EXPAND.exec(query.$expand.trim());
      if (!expand) throw graphError(400, 'BadRequest', `Parsing OData Select and Expand failed: Could not find a property named '${query.$expand}'.`);
      const wanted = unquote(expand[1]).toLowerCase();
      const matching = stored.extendedProperties.filter((property) => property.id?.toLowerCase() === wanted);
      if (matching.length) event.singleValueExtendedProperties = matching;
    }
    return event;
  };

  const eventOf = (request: Req, owner: Account): StoredEvent => {
    const stored = mailbox.event(owner.id, request.params.eventId);
    if (!stored) throw notFound();
    return stored;
  };

  const listEvents = async (request: Req) => {
    const caller = identity.authenticate(request);
    const owner = ownerOf(request, caller);
    let events = mailbox.eventsOf(owner.id);
    const filter = request.query.$filter?.trim();
    if (filter) {
      const match = EXTENDED_PROPERTY_FILTER.exec(filter);
      if (!match) throw graphError(400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.');
      const id = unquote(match[2]).toLowerCase();
      const value = unquote(match[3]);
      events = events.filter((stored) =>
        stored.extendedProperties.some((property) => property.id?.toLowerCase() === id && property.value === value),
      );
    }
    const top = Math.min(Number(request.query.$top ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE, 1000);
    const skip = Number(request.query.$skip ?? 0) || 0;
    const page = events.slice(skip, skip + top);
    const body: Record<string, unknown> = {
      '@odata.context': context(owner, 'events'),
      value: page.map((stored) => render(stored, request.query)),
    };
    if (skip + top < events.length) {
      const next = new URL(request.url, base());
      next.searchParams.set('$top', String(top));
      next.searchParams.set('$skip', String(skip + top));
      body['@odata.nextLink'] = next.toString();
    }
    return body;
  };

  const createEvent = async (request: Req, reply: FastifyReply) => {
    const caller = identity.authenticate(request);
    const owner = ownerOf(request, caller);
    const input = requireObject(request.body) as Event;
    if (!input.start?.dateTime || !input.end?.dateTime) {
      throw graphError(400, 'ErrorInvalidRequest', 'Your request can\'t be completed. The start and end of the event are required.');
    }
    const stored = mailbox.createEvent(owner, input);
    return reply.code(201).send({ '@odata.context': context(owner, 'events/$entity'), ...render(stored, request.query) });
  };

  const getEvent = async (request: Req) => {
    const owner = ownerOf(request, identity.authenticate(request));
    return { '@odata.context': context(owner, 'events/$entity'), ...render(eventOf(request, owner), request.query) };
  };

  const patchEvent = async (request: Req) => {
    const owner = ownerOf(request, identity.authenticate(request));
    const stored = mailbox.updateEvent(owner, eventOf(request, owner), requireObject(request.body) as Event);
    return { '@odata.context': context(owner, 'events/$entity'), ...render(stored, request.query) };
  };

  const deleteEvent = async (request: Req, reply: FastifyReply) => {
    const owner = ownerOf(request, identity.authenticate(request));
    mailbox.deleteEvent(owner, eventOf(request, owner));
    return reply.code(204).send();
  };

  const meetingOf = (request: Req, owner: Account): StoredMeeting => {
    const stored = mailbox.meeting(owner.id, request.params.meetingId);
    if (!stored) throw graphError(404, 'NotFound', 'The requested resource was not found.');
    return stored;
  };

  /** Teams refuses personal accounts outright on the onlineMeetings API */
  const requireWorkAccount = (owner: Account) => {
    if (owner.personal) throw graphError(401, 'AuthenticationError', 'Error authenticating with resource');
  };

  for (const prefix of ['/v1.0/me', '/v1.0/users/:userId']) {
    app.get<{ Params: Record<string, string> }>(prefix, async (request) => {
      const owner = ownerOf(request as Req, identity.authenticate(request));
      const [givenName, ...rest] = owner.displayName.split(' ');
      return {
        '@odata.context': `${base()}/v1.0/$metadata#users/$entity`,
        businessPhones: [],
        displayName: owner.displayName,
        givenName,
        jobTitle: null,
        mail: owner.email,
        mobilePhone: null,
        officeLocation: null,
        preferredLanguage: 'en-US',
        surname: rest.join(' ') || null,
        userPrincipalName: owner.email,
        id: owner.id,
      };
    });

    app.get<{ Params: Record<string, string> }>(`${prefix}/calendar`, async (request) => {
      const owner = ownerOf(request as Req, identity.authenticate(request));
      return {
        '@odata.context': context(owner, 'calendars/$entity'),
        id: `AAMkCal${owner.id.replace(/-/g, '')}`,
        name: 'Calendar',
        color: 'auto',
        isDefaultCalendar: true,
        canShare: true,
        canViewPrivateItems: true,
        canEdit: true,
        allowedOnlineMeetingProviders: owner.personal ? [] : ['teamsForBusiness'],
        defaultOnlineMeetingProvider: owner.personal ? 'unknown' : 'teamsForBusiness',
        isTallyingResponses: true,
        isRemovable: false,
        owner: { name: owner.displayName, address: owner.email },
      };
    });

    for (const events of [`${prefix}/events`, `${prefix}/calendar/events`]) {
      app.get(events, listEvents as never);
      app.post(events, createEvent as never);
      longIds.add('GET', events, ':eventId', getEvent);
      longIds.add('PATCH', events, ':eventId', patchEvent);
      longIds.add('DELETE', events, ':eventId', deleteEvent);
    }

    app.post(`${prefix}/onlineMeetings`, (async (request: Req, reply: FastifyReply) => {
      const owner = ownerOf(request, identity.authenticate(request));
      requireWorkAccount(owner);
      const stored = mailbox.createMeeting(owner, requireObject(request.body) as OnlineMeeting);
      return reply.code(201).send({
        '@odata.context': `${base()}/v1.0/$metadata#users('${owner.id}')/onlineMeetings/$entity`,
        ...stored.meeting,
      });
    }));

    app.get(`${prefix}/onlineMeetings`, (async (request: Req) => {
      const owner = ownerOf(request, identity.authenticate(request));
      requireWorkAccount(owner);
      const match = JOIN_WEB_URL_FILTER.exec(request.query.$filter?.trim() ?? '');
      if (!match) {
        throw graphError(400, 'BadRequest', "Filter expression expected - /onlineMeetings?$filter=JoinWebUrl eq '{joinWebUrl}'.");
      }
      const stored = mailbox.meetingByJoinUrl(owner.id, unquote(match[1]));
      return {
        '@odata.context': `${base()}/v1.0/$metadata#users('${owner.id}')/onlineMeetings`,
        value: stored ? [stored.meeting] : [],
      };
    }));

    const meetings = `${prefix}/onlineMeetings`;
    longIds.add('GET', meetings, ':meetingId', (async (request: Req) => {
      const owner = ownerOf(request, identity.authenticate(request));
      requireWorkAccount(owner);
      return {
        '@odata.context': `${base()}/v1.0/$metadata#users('${owner.id}')/onlineMeetings/$entity`,
        ...meetingOf(request, owner).meeting,
      };
    }));

    longIds.add('GET', meetings, ':meetingId/attendanceReports', (async (request: Req) => {
      const owner = ownerOf(request, identity.authenticate(request));
      const stored = meetingOf(request, owner);
      const expand = request.query.$expand === 'attendanceRecords';
      return {
        '@odata.context': `${base()}/v1.0/$metadata#users('${owner.id}')/onlineMeetings('${stored.meeting.id}')/attendanceReports`,
        value: stored.reports.map(({ report, records }) => (expand ? { ...report, attendanceRecords: records } : report)),
      };
    }));

    const reportOf = (request: Req) => {
      const owner = ownerOf(request, identity.authenticate(request));
      const stored = meetingOf(request, owner);
      const found = stored.reports.find(({ report }) => report.id === request.params.reportId);
      if (!found) throw graphError(404, 'NotFound', 'The requested resource was not found.');
      return { owner, stored, found };
    };

    longIds.add('GET', meetings, ':meetingId/attendanceReports/:reportId', (async (request: Req) => {
      const { owner, stored, found } = reportOf(request);
      return {
        '@odata.context': `${base()}/v1.0/$metadata#users('${owner.id}')/onlineMeetings('${stored.meeting.id}')/attendanceReports/$entity`,
        ...found.report,
        ...(request.query.$expand === 'attendanceRecords' ? { attendanceRecords: found.records } : {}),
      };
    }));

    longIds.add('GET', meetings, ':meetingId/attendanceReports/:reportId/attendanceRecords', (async (request: Req) => {
      const { owner, stored, found } = reportOf(request);
      return {
        '@odata.context': `${base()}/v1.0/$metadata#users('${owner.id}')/onlineMeetings('${stored.meeting.id}')/attendanceReports('${found.report.id}')/attendanceRecords`,
        value: found.records,
      };
    }));

    // Graph lists recordings only for meetings that belong to a calendar event, not standalone onlineMeetings.
    longIds.add('GET', meetings, ':meetingId/recordings', (async (request: Req) => {
      const owner = ownerOf(request, identity.authenticate(request));
      const stored = meetingOf(request, owner);
      return {
        '@odata.context': `${base()}/v1.0/$metadata#users('${owner.id}')/onlineMeetings('${stored.meeting.id}')/recordings`,
        value: stored.eventId ? stored.recordings : [],
      };
    }));

    const recordingOf = (request: Req) => {
      const owner = ownerOf(request, identity.authenticate(request));
      const stored = meetingOf(request, owner);
      const recording = stored.eventId ? stored.recordings.find((item) => item.id === request.params.recordingId) : undefined;
      if (!recording) throw graphError(404, 'NotFound', 'The requested resource was not found.');
      return { owner, stored, recording };
    };

    longIds.add('GET', meetings, ':meetingId/recordings/:recordingId', (async (request: Req) => {
      const { owner, stored, recording } = recordingOf(request);
      return {
        '@odata.context': `${base()}/v1.0/$metadata#users('${owner.id}')/onlineMeetings('${stored.meeting.id}')/recordings/$entity`,
        ...recording,
      };
    }));

    longIds.add('GET', meetings, ':meetingId/recordings/:recordingId/content', (async (request: Req, reply: FastifyReply) => {
      const { recording } = recordingOf(request);
      // a tiny stand-in for the MP4: the ftyp box header, enough for a client to see a video came back
      const body = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from(`ftypmp42\0\0\0\0mp42isom${recording.id}`)]);
      return reply.type('video/mp4').send(body);
    }));

    app.post(`${prefix}/revokeSignInSessions`, (async (request: Req) => {
      const owner = ownerOf(request, identity.authenticate(request));
      identity.revokeSessions(owner.id);
      return { '@odata.context': `${base()}/v1.0/$metadata#Edm.Boolean`, value: true };
    }));
  }

  longIds.register(app);

  const subscriptionContext = () => `${base()}/v1.0/$metadata#subscriptions`;

  app.post('/v1.0/subscriptions', (async (request: Req, reply: FastifyReply) => {
    const caller = identity.authenticate(request);
    const subscription = await subscriptions.create(requireObject(request.body) as Subscription, caller);
    return reply.code(201).send({ '@odata.context': `${subscriptionContext()}/$entity`, ...subscription });
  }));

  app.get('/v1.0/subscriptions', (async (request: Req) => {
    const caller = identity.authenticate(request);
    return { '@odata.context': subscriptionContext(), value: subscriptions.list(caller.clientId) };
  }));

  app.get('/v1.0/subscriptions/:subscriptionId', (async (request: Req) => {
    const caller = identity.authenticate(request);
    const stored = subscriptions.get(request.params.subscriptionId, caller.clientId);
    return { '@odata.context': `${subscriptionContext()}/$entity`, ...stored.subscription };
  }));

  app.patch('/v1.0/subscriptions/:subscriptionId', (async (request: Req) => {
    const caller = identity.authenticate(request);
    const stored = subscriptions.get(request.params.subscriptionId, caller.clientId);
    const input = requireObject(request.body) as Subscription;
    return { '@odata.context': `${subscriptionContext()}/$entity`, ...subscriptions.renew(stored, input.expirationDateTime) };
  }));

  app.delete('/v1.0/subscriptions/:subscriptionId', (async (request: Req, reply: FastifyReply) => {
    const caller = identity.authenticate(request);
    subscriptions.get(request.params.subscriptionId, caller.clientId);
    subscriptions.delete(request.params.subscriptionId);
    return reply.code(204).send();
  }));
}

function requireObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw graphError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
  }
  return body as Record<string, unknown>;
}

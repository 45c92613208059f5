/**
 * Zoom API v2 routes (api.zoom.us/v2): the current user, meetings (create 201, get, patch 204, delete 204),
 * past-meeting participants (paged with next_page_token; UUIDs with '/' must arrive double-encoded) and cloud
 * recordings. In a HIPAA account Zoom leaves participants' names and emails out and has no cloud recording.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../core/contract.js';
import type { OAuthServer } from '../core/oauth.js';
import { meetingNotFound, zoomError } from './errors.js';
import { DEFAULT_MEETING_SETTINGS, zoomTime, zoomUserOf, type StoredZoomMeeting, type ZoomMeetings } from './meetings.js';

interface Deps {
  ctx: () => EmulatorContext;
  oauth: () => OAuthServer;
  meetings: ZoomMeetings;
  accountId: string;
  hipaa: () => boolean;
}

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string | undefined>; Body: unknown }>;

const MAX_PAGE_SIZE = 300;
const LIST_TYPES = ['scheduled', 'upcoming', 'live'];
const MEETING_FIELDS = ['topic', 'type', 'start_time', 'duration', 'timezone', 'agenda', 'password', 'recurrence'] as const;

export function registerZoomApi(app: FastifyInstance, deps: Deps): void {
  const { meetings } = deps;
  const host = (request: Req) => {
    const principal = deps.oauth().principal(request);
    if (!principal.user) throw zoomError(401, 124, 'Invalid access token.');
    return zoomUserOf(principal.user);
  };
  const requireUser = (request: Req) => {
    const user = host(request);
    const userId = request.params.userId;
    if (userId && userId !== 'me' && userId !== user.id && userId.toLowerCase() !== user.email.toLowerCase()) {
      throw zoomError(404, 1001, 'User does not exist: ' + userId + '.');
    }
    return user;
  };
  const meetingOf = (request: Req): StoredZoomMeeting => {
    const id = request.params.meetingId;
    const stored = /^\d+$/.test(id) ? meetings.byId(Number(id)) : undefined;
    if (!stored || stored.meeting.host_id !== host(request).id) throw meetingNotFound(id);
    return stored;
  };
  const recordingSettings = (settings: Record<string, unknown>) => {
    // a HIPAA (BAA) account has cloud recording disabled
    if (deps.hipaa() && settings.auto_recording === 'cloud') settings.auto_recording = 'local';
    return settings;
  };

  app.get('/v2/users/:userId', async (request) => {
    const user = requireUser(request as Req);
    return {
      id: user.id,
      first_name: user.first_name,
      last_name: user.last_name,
      display_name: user.display_name,
      email: user.email,
      type: 2,
      role_name: 'Owner',
      pmi: 5550001234,
      use_pmi: false,
      personal_meeting_url: 'https://zoom.us/j/5550001234',
      timezone: 'UTC',
      verified: 1,
      dept: '',
      created_at: '2024-01-01T00:00:00Z',
      user_created_at: '2024-01-01T00:00:00Z',
      last_login_time: zoomTime(deps.ctx().now()),
      pic_url: '',
      cms_user_id: '',
      jid: `${user.id.toLowerCase()}@xmpp.zoom.us`,
      group_ids: [],
      im_group_ids: [],
      account_id: deps.accountId,
      language: 'en-US',
      phone_country: '',
      phone_number: '',
      status: 'active',
      role_id: '0',
      account_number: 10000001,
      cluster: 'us06',
    };
  });

  app.post('/v2/users/:userId/meetings', async (request, reply) => {
    const user = requireUser(request as Req);
    const input = (request.body ?? {}) as Record<string, unknown>;
    if (typeof input !== 'object' || Array.isArray(input)) throw zoomError(400, 300, 'Request Body should be a valid JSON object.');
    const type = input.type === undefined ? 2 : Number(input.type);
    if (![1, 2, 3, 8, 10].includes(type)) throw zoomError(400, 300, 'Invalid field.');
    const id = meetings.newId();
    const password = typeof input.password === 'string' ? input.password : randomBytes(4).toString('hex').slice(0, 6);
    if (password.length > 10) throw zoomError(400, 300, 'Password must be a maximum of 10 characters.');
    const encrypted = randomBytes(24).toString('base64url');
    const now = deps.ctx().now();
    const settings = recordingSettings({ ...DEFAULT_MEETING_SETTINGS, ...((input.settings as object | undefined) ?? {}) });
    const meeting = {
      uuid: randomBytes(16).toString('base64'),
      id,
      host_id: user.id,
      host_email: user.email,
      topic: typeof input.topic === 'string' ? input.topic : 'Zoom Meeting',
      type,
      status: 'waiting',
      start_time: zoomTime(typeof input.start_time === 'string' ? Date.parse(input.start_time) || now : now),
      duration: input.duration === undefined ? 60 : Number(input.duration),
      timezone: typeof input.timezone === 'string' ? input.timezone : 'UTC',
      agenda: typeof input.agenda === 'string' ? input.agenda : '',
      created_at: zoomTime(now),
      start_url: `https://zoom.us/s/${id}?zak=${randomBytes(48).toString('base64url')}`,
      join_url: `https://zoom.us/j/${id}?pwd=${encrypted}`,
      password,
      h323_password: String(100000 + Math.floor(Math.random() * 899999)),
      pstn_password: String(100000 + Math.floor(Math.random() * 899999)),
      encrypted_password: encrypted,
      settings,
      pre_schedule: false,
    };
    meetings.add({ meeting, hostEmail: user.email, deleted: false, instances: [] });
    return reply.code(201).header('content-location', `${deps.ctx().baseUrl()}/v2/meetings/${id}`).send(meeting);
  });

  // type=scheduled (default): every unexpired non-instant meeting; upcoming: those not yet over; live: started ones
  app.get('/v2/users/:userId/meetings', async (request) => {
    const user = requireUser(request as Req);
    const query = (request as Req).query;
    const type = query.type ?? 'scheduled';
    if (!LIST_TYPES.includes(type)) throw zoomError(400, 300, `Invalid field: type.`);
    const pageSize = Math.min(Math.max(Number(query.page_size ?? 30) || 30, 1), MAX_PAGE_SIZE);
    const key = `meetings:${user.id}:${type}`;
    let offset = 0;
    if (query.next_page_token) {
      const decoded = decodePageToken(query.next_page_token, key, deps.ctx().now());
      if (decoded === undefined) throw zoomError(400, 300, 'The next page token is invalid or expired.');
      offset = decoded;
    }
    const now = deps.ctx().now();
    const all = meetings
      .ofHost(user.id)
      .map((stored) => stored.meeting)
      .filter((meeting) => {
        const ends = Date.parse(String(meeting.start_time)) + Number(meeting.duration) * 60_000;
        if (type === 'live') return meeting.status === 'started';
        if (meeting.type === 1) return false;
        return type === 'scheduled' || ends >= now;
      })
      .sort((a, b) => String(a.start_time).localeCompare(String(b.start_time)) || a.id - b.id);
    return {
      page_size: pageSize,
      total_records: all.length,
      next_page_token: offset + pageSize < all.length ? encodePageToken(key, offset + pageSize, now) : '',
      meetings: all.slice(offset, offset + pageSize).map(listItem),
    };
  });

  app.get('/v2/meetings/:meetingId', async (request) => meetingOf(request as Req).meeting);

  app.patch('/v2/meetings/:meetingId', async (request, reply) => {
    const stored = meetingOf(request as Req);
    const input = (request.body ?? {}) as Record<string, unknown>;
    for (const field of MEETING_FIELDS) if (input[field] !== undefined) stored.meeting[field] = input[field];
    if (typeof input.start_time === 'string') stored.meeting.start_time = zoomTime(Date.parse(input.start_time));
    if (input.settings && typeof input.settings === 'object') {
      stored.meeting.settings = recordingSettings({ ...stored.meeting.settings, ...(input.settings as object) });
    }
    return reply.code(204).send();
  });

  app.delete('/v2/meetings/:meetingId', async (request, reply) => {
    meetingOf(request as Req).deleted = true;
    return reply.code(204).send();
  });

  app.get('/v2/past_meetings/:meetingUUID/participants', async (request) => {
    const user = host(request as Req);
    const uuid = pathUuid(request as Req, 'past_meetings');
    const found = uuid === undefined ? undefined : meetings.instance(uuid);
    if (!found || found.stored.meeting.host_id !== user.id) throw meetingNotFound(uuid ?? '');
    const query = (request as Req).query;
    const pageSize = Math.min(Math.max(Number(query.page_size ?? 30) || 30, 1), MAX_PAGE_SIZE);
    let offset = 0;
    if (query.next_page_token) {
      const decoded = decodePageToken(query.next_page_token, found.instance.uuid, deps.ctx().now());
      if (decoded === undefined) throw zoomError(400, 300, 'The next page token is invalid or expired.');
      offset = decoded;
    }
    const all = found.instance.participants;
    const page = all.slice(offset, offset + pageSize).map((participant) =>
      deps.hipaa()
        ? { ...withoutEmail(participant), name: '' }
        : participant,
    );
    return {
      page_count: Math.ceil(all.length / pageSize),
      page_size: pageSize,
      total_records: all.length,
      next_page_token:
        offset + pageSize < all.length ? encodePageToken(found.instance.uuid, offset + pageSize, deps.ctx().now()) : '',
      participants: page,
    };
  });

  app.get('/v2/meetings/:meetingId/recordings', async (request) => {
    const user = host(request as Req);
    const key = pathUuid(request as Req, 'meetings');
    const found = key === undefined ? undefined : meetings.instance(key);
    if (!found || found.stored.meeting.host_id !== user.id) throw zoomError(404, 3301, 'This recording does not exist.');
    const withRecording = /^\d+$/.test(key!)
      ? [...found.stored.instances].reverse().find((instance) => instance.recording)
      : found.instance.recording
        ? found.instance
        : undefined;
    if (!withRecording?.recording || deps.hipaa()) throw zoomError(404, 3301, 'This recording does not exist.');
    return withRecording.recording;
  });
}

/** list items carry no start_url, password or settings: a client reads those with GET /meetings/{id} */
function listItem(meeting: StoredZoomMeeting['meeting']) {
  const { uuid, id, host_id, topic, type, start_time, duration, timezone, agenda, created_at, join_url } = meeting;
  return { uuid, id, host_id, topic, type, start_time, duration, timezone, agenda, created_at, join_url };
}

function withoutEmail<T extends { user_email?: string }>(participant: T): Omit<T, 'user_email'> {
  const { user_email: _omitted, ...rest } = participant;
  return rest;
}

/**
 * Zoom decodes a path segment once more when it still holds %-escapes: clients must double-encode a UUID that
 * starts with '/' or contains '//' ('/' -> %2F -> %252F); sent single-encoded, such a UUID is not found.
 */
function pathUuid(request: Req, collection: string): string | undefined {
  const raw = request.raw.url ?? '';
  const match = new RegExp(`/v2/${collection}/([^/?]+)`).exec(raw);
  if (!match) return undefined;
  const once = decodeURIComponent(match[1]);
  if (once.startsWith('/') || once.includes('//')) return undefined;
  return once.includes('%') ? decodeURIComponent(once) : once;
}

const PAGE_TOKEN_TTL_MS = 15 * 60 * 1000;

function encodePageToken(uuid: string, offset: number, now: number): string {
  return Buffer.from(JSON.stringify({ u: uuid, o: offset, t: now })).toString('base64url');
}

function decodePageToken(token: string, uuid: string, now: number): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { u: string; o: number; t: number };
    if (parsed.u !== uuid || now - parsed.t > PAGE_TOKEN_TTL_MS) return undefined;
    return parsed.o;
  } catch {
    return undefined;
  }
}


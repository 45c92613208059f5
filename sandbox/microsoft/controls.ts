/**
 * Microsoft-specific sandbox controls (documented in README.md): accounts, changes "made by the user in Outlook",
 * a Teams meeting that happened (attendance + recording) and session revocation.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Event } from '@microsoft/microsoft-graph-types';
import type { EmulatorContext } from '../core/contract.js';
import type { Directory } from './directory.js';
import type { MicrosoftIdentity } from './identity.js';
import type { Mailbox, SimulatedAttendee } from './mailbox.js';
import { LongIdRouter } from './long-id-routes.js';

interface Deps {
  ctx: () => EmulatorContext;
  directory: Directory;
  identity: MicrosoftIdentity;
  mailbox: Mailbox;
}

export function registerMicrosoftControls(app: FastifyInstance, deps: Deps): void {
  const { directory, identity, mailbox } = deps;

  app.get('/__sandbox/accounts', async () => ({ accounts: directory.list() }));

  app.put<{ Body: { email?: string; displayName?: string; personal?: boolean } }>(
    '/__sandbox/accounts',
    async (request, reply) => {
      const { email, displayName, personal } = request.body ?? {};
      if (!email) return reply.code(400).send({ error: 'email is required' });
      return directory.upsert(email, { displayName, personal });
    },
  );

  app.post<{ Body: { email?: string } }>('/__sandbox/accounts/revoke', async (request, reply) => {
    const account = directory.find(request.body?.email ?? '');
    if (!account) return reply.code(404).send({ error: 'unknown account' });
    identity.revokeSessions(account.id);
    return { ok: true };
  });

  const longIds = new LongIdRouter();
  longIds.add(
    'POST',
    '/__sandbox/events',
    ':eventId/move',
    async (request: FastifyRequest<{ Params: { eventId: string }; Body: { start?: Event['start']; end?: Event['end'] } }>, reply: FastifyReply) => {
      const stored = mailbox.findEvent(request.params.eventId);
      const owner = stored && directory.byId(stored.ownerId);
      if (!stored || !owner) return reply.code(404).send({ error: 'unknown event' });
      const { start, end } = request.body ?? {};
      if (!start?.dateTime || !end?.dateTime) return reply.code(400).send({ error: 'start and end are required' });
      mailbox.moveEvent(owner, stored, start, end);
      deps.ctx().recordActivity({ kind: 'event', summary: `user moved event ${stored.event.id} in Outlook` });
      return stored.event;
    },
  );

  longIds.add('DELETE', '/__sandbox/events', ':eventId', async (request: FastifyRequest<{ Params: { eventId: string } }>, reply: FastifyReply) => {
    const stored = mailbox.findEvent(request.params.eventId);
    const owner = stored && directory.byId(stored.ownerId);
    if (!stored || !owner) return reply.code(404).send({ error: 'unknown event' });
    mailbox.deleteEvent(owner, stored);
    deps.ctx().recordActivity({ kind: 'event', summary: `user deleted event ${stored.event.id} in Outlook` });
    return { ok: true };
  });
  longIds.register(app);

  app.post<{
    Body: { meetingId?: string; joinWebUrl?: string; eventId?: string; attendees?: SimulatedAttendee[]; recording?: boolean };
  }>('/__sandbox/meetings/simulate', async (request, reply) => {
    const { meetingId, joinWebUrl, eventId, attendees = [], recording } = request.body ?? {};
    let ownerId: string | undefined;
    let found;
    if (eventId) {
      const stored = mailbox.findEvent(eventId);
      ownerId = stored?.ownerId;
      found = stored?.meetingId && ownerId ? mailbox.meeting(ownerId, stored.meetingId) : undefined;
    } else {
      for (const account of directory.list()) {
        found = meetingId ? mailbox.meeting(account.id, meetingId) : mailbox.meetingByJoinUrl(account.id, joinWebUrl ?? '');
        if (found) break;
      }
      ownerId = found?.ownerId;
    }
    const owner = ownerId ? directory.byId(ownerId) : undefined;
    if (!found || !owner) return reply.code(404).send({ error: 'unknown online meeting (give meetingId, joinWebUrl or eventId)' });
    const result = mailbox.simulateMeeting(owner, found, attendees, { recording, baseUrl: deps.ctx().baseUrl() });
    deps.ctx().recordActivity({
      kind: 'event',
      summary: `Teams meeting ${found.meeting.id} happened: ${attendees.length} attendee(s)${result.recording ? ', recorded' : ''}`,
    });
    return { meetingId: found.meeting.id, ...result };
  });
}

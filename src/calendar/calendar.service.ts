import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, MoreThan, Repository } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { Role, User } from '../auth/users/user.entity.js';
import { AppException } from '../common/app-exception.js';
import { ConnectionReauthRequiredError } from '../connections/connections-errors.js';
import { ConnectionsService, type ConnectionView } from '../connections/connections.service.js';
import { MeetingLinks } from '../video/meeting-links.js';
import { assertValidTimeRange, TherapySessionsService } from '../therapy-sessions/therapy-sessions.service.js';
import { type CalendarDriftEntry, SessionStatus, TherapySession } from '../therapy-sessions/therapy-session.entity.js';
import { calendarNotConnected, CalendarProviderError } from './calendar-errors.js';
import { CalendarEvent } from './calendar-event.entity.js';
import type { CalendarEventContent, CalendarProvider, CalendarProviderName, ProviderAccess, StoredEventRef } from './calendar-provider.js';
import { CalendarProviderRegistry } from './calendar-provider.registry.js';
import { CalendarCalls } from './calendar-sync.js';
import type { ConnectAppleDto, ConnectCalendarDto, CreateCalendarEventDto } from './calendar.dto.js';
import { initialsOf, sessionEventContent } from './event-content.js';
import { CaldavCalendarProvider, ICLOUD_CALDAV_URL } from './providers/caldav/caldav-calendar.provider.js';

/** A session that ended longer ago than this is no longer watched for changes in external calendars. */
export const DRIFT_WATCH_AFTER_END_MS = 86_400_000;

const PROVIDER_LABEL: Record<CalendarProviderName, string> = { google: 'Google Calendar', outlook: 'Outlook Calendar', apple: 'Apple Calendar' };

/** What drift detection records on the session (the session entity owns the shape). */
export type SessionDrift = CalendarDriftEntry;

@Injectable()
export class CalendarService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(CalendarEvent) private readonly events: Repository<CalendarEvent>,
    private readonly connections: ConnectionsService,
    private readonly registry: CalendarProviderRegistry,
    private readonly calls: CalendarCalls,
    private readonly sessions: TherapySessionsService,
    private readonly caldav: CaldavCalendarProvider,
    private readonly meetings: MeetingLinks,
  ) {}

  label(provider: CalendarProviderName): string {
    return PROVIDER_LABEL[provider];
  }

  async authorizeUrl(user: AuthUser, name: string) {
    const provider = this.oauthProvider(name);
    const { url, state, expiresAt } = await this.connections.authorizeUrl(user, provider.name, 'calendar');
    return { url, state, expiresAt: expiresAt.toISOString() };
  }

  async connect(user: AuthUser, name: string, input: ConnectCalendarDto) {
    const provider = this.oauthProvider(name);
    const view = await this.connections.connect(user, provider.name, input, { purpose: 'calendar' });
    return { provider: view.provider, connectedAt: view.connectedAt.toISOString() };
  }

  async connectApple(user: AuthUser, input: ConnectAppleDto) {
    const account = { serverUrl: input.serverUrl ?? ICLOUD_CALDAV_URL, username: input.username, password: input.appPassword };
    let calendarUrl: string;
    try {
      ({ calendarUrl } = await this.caldav.discover(account));
    } catch (error) {
      const reason = error instanceof CalendarProviderError ? error.reason : 'discovery failed';
      throw new AppException('CALENDAR_CONNECTION_ERROR', `The CalDAV server refused the connection (${reason})`, { cause: error });
    }
    const view = await this.connections.saveCredentials(user, 'apple', 'calendar', {
      accountEmail: input.username.includes('@') ? input.username : null,
      secret: { username: input.username, password: input.appPassword },
      metadata: { serverUrl: account.serverUrl, calendarUrl },
    });
    return { provider: view.provider, connectedAt: view.connectedAt.toISOString() };
  }

  async integrations(user: AuthUser) {
    const views = await this.connections.list(user, 'calendar');
    return {
      integrations: views.map((view) => ({
        provider: view.provider,
        connectedAt: view.connectedAt.toISOString(),
        lastUpdated: view.lastUpdated.toISOString(),
        status: view.status,
        statusReason: view.statusReason,
        accountEmail: view.accountEmail,
        lastSyncedAt: view.lastSyncedAt?.toISOString() ?? null,
      })),
    };
  }

  async disconnect(user: AuthUser, name: string, removeEvents: boolean) {
    const provider = this.knownProvider(name);
    const connection = await this.connectionOf(user.id, provider.name);
    let removed = 0;
    if (removeEvents) {
      const links = await this.events.find({ where: { connectionId: connection.id, state: In(['synced', 'pending', 'failed']) } });
      for (const link of links) {
        await this.callOrFail('CALENDAR_EVENT_ERROR', provider, connection, { action: 'events.delete', sessionId: link.sessionId }, (access) =>
          provider.deleteEvent(access, refOf(link)),
        );
        removed += 1;
      }
    }
    await this.connections.disconnect(user, provider.name);
    return { provider: provider.name, disconnectedAt: new Date().toISOString(), removedEvents: removed };
  }

  async createEvent(user: AuthUser, input: CreateCalendarEventDto) {
    const start = new Date(input.startTime);
    const end = new Date(input.endTime);
    assertValidTimeRange(start, end);
    const provider = this.knownProvider(input.provider);
    const connection = await this.connectionOf(user.id, provider.name);
    const timeZone = input.timeZone ?? (await this.dataSource.getRepository(User).findOneBy({ id: user.id }))?.timeZone ?? 'UTC';
    const content: CalendarEventContent = { key: randomUUID(), title: input.title, description: input.description ?? '', start, end, timeZone };
    const written = await this.callOrFail('CALENDAR_EVENT_ERROR', provider, connection, { action: 'events.create' }, (access) =>
      provider.upsertEvent(access, content, null),
    );
    const saved = await this.events.save(
      this.events.create({
        userId: user.id,
        connectionId: connection.id,
        provider: provider.name,
        eventKey: content.key,
        providerEventId: written.providerEventId,
        calendarRef: written.calendarRef,
        etag: written.etag,
        state: 'synced',
        syncedStart: start,
        syncedEnd: end,
        lastSyncedAt: new Date(),
      }),
    );
    await this.connections.recordSuccess(connection.id);
    return { eventId: saved.id, provider: provider.name, providerEventId: written.providerEventId, htmlLink: written.htmlLink ?? null };
  }

  /** Puts the session in the caller's own calendar (an admin: the therapist's). Safe to repeat. */
  async syncSession(user: AuthUser, sessionId: string, name: string) {
    const session = await this.sessions.get(user, sessionId);
    if (session.status === SessionStatus.Cancelled) {
      throw new AppException('INVALID_SESSION_STATE', 'A cancelled session is not put in calendars');
    }
    const provider = this.knownProvider(name);
    const ownerId = user.role === Role.Admin ? session.therapistId : user.id;
    const connection = await this.connectionOf(ownerId, provider.name);
    const link = await this.linkFor(session, ownerId, connection);
    await this.writeLink(link, session, provider, connection, 'SESSION_SYNC_ERROR');
    return { sessionId: session.id, provider: provider.name, eventId: link.id, providerEventId: link.providerEventId, syncedAt: link.lastSyncedAt?.toISOString() };
  }

  /** Job: bring one linked event in line with its session (update, or delete when cancelled). */
  async reconcileLink(linkId: string): Promise<void> {
    const link = await this.events.findOneBy({ id: linkId });
    if (!link || !link.sessionId || link.state === 'deleted') return;
    const session = await this.dataSource.getRepository(TherapySession).findOneBy({ id: link.sessionId });
    const connection = await this.connections.find(link.userId, link.provider as CalendarProviderName);
    if (!session || !connection) return;
    const provider = this.registry.get(link.provider);
    try {
      if (session.status === SessionStatus.Cancelled) {
        await this.calls.run(provider, connection, { action: 'events.delete', sessionId: session.id }, (access) => provider.deleteEvent(access, refOf(link)));
        await this.events.update({ id: link.id }, { state: 'deleted', lastSyncedAt: new Date(), lastError: null });
        await this.connections.recordSuccess(connection.id);
        return;
      }
      await this.writeLink(link, session, provider, connection, null);
    } catch (error) {
      await this.events.update({ id: link.id }, { lastError: safeReason(error) });
      throw error;
    }
  }

  /**
   * Two-way awareness: compares each linked event with the external calendar and flags the session with what the
   * owner changed there (deleted, moved). Nothing is changed on our side.
   */
  async checkDrift(connectionId: string): Promise<SessionDrift[]> {
    const connection = await this.connections.get(connectionId);
    const provider = this.registry.get(connection.provider);
    // sessions long over are not watched any more (see the sweep)
    const links = await this.events.find({ where: { connectionId, state: 'synced', syncedEnd: MoreThan(new Date(Date.now() - DRIFT_WATCH_AFTER_END_MS)) } });
    const found: SessionDrift[] = [];
    for (const link of links) {
      if (!link.sessionId || !link.syncedStart || !link.syncedEnd) continue;
      const remote = await this.calls.run(provider, connection, { action: 'events.get', sessionId: link.sessionId }, (access) =>
        provider.fetchEvent(access, refOf(link)),
      );
      const detectedAt = new Date().toISOString();
      let drift: SessionDrift | null = null;
      if (!remote) drift = { provider: provider.name, userId: link.userId, change: 'deleted', detectedAt };
      else if (remote.start.getTime() !== link.syncedStart.getTime() || remote.end.getTime() !== link.syncedEnd.getTime()) {
        drift = { provider: provider.name, userId: link.userId, change: 'moved', start: remote.start.toISOString(), end: remote.end.toISOString(), detectedAt };
      }
      if (!drift) continue;
      found.push(drift);
      // the same change seen again by the next poll keeps its first detectedAt
      await this.dataSource.query(
        `UPDATE therapy_sessions
            SET calendar_drift = COALESCE(calendar_drift, '{}'::jsonb) || jsonb_build_object($2::text, $3::jsonb)
          WHERE id = $1 AND (calendar_drift -> $2::text) - 'detectedAt' IS DISTINCT FROM $3::jsonb - 'detectedAt'`,
        [link.sessionId, `${provider.name}:${link.userId}`, JSON.stringify(drift)],
      );
    }
    await this.connections.recordSuccess(connection.id);
    return found;
  }

  async sessionEvents(user: AuthUser, sessionId: string) {
    const session = await this.sessions.get(user, sessionId);
    const links = await this.events.find({ where: { sessionId: session.id }, order: { createdAt: 'ASC' } });
    const visible = user.role === Role.Admin || user.id === session.therapistId ? links : links.filter((link) => link.userId === user.id);
    const drift = Object.values(session.calendarDrift ?? {}).filter((entry) => visible.some((link) => link.userId === entry.userId));
    return {
      events: visible.map((link) => ({
        id: link.id,
        provider: link.provider,
        sessionId: link.sessionId,
        providerEventId: link.providerEventId,
        state: link.state,
        lastSyncedAt: link.lastSyncedAt?.toISOString() ?? null,
      })),
      calendarDrift: drift.length > 0 ? drift : null,
    };
  }

  async setPreferences(user: AuthUser, showClientInitials: boolean) {
    await this.dataSource.query(
      `INSERT INTO calendar_preferences (user_id, show_client_initials) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET show_client_initials = EXCLUDED.show_client_initials, updated_at = now()`,
      [user.id, showClientInitials],
    );
    return { showClientInitials };
  }

  private async writeLink(link: CalendarEvent, session: TherapySession, provider: CalendarProvider, connection: ConnectionView, httpCode: string | null) {
    // the same join link for therapist and client: never the host's start URL (see MeetingLinks)
    const content = sessionEventContent(session, { initials: await this.initialsFor(link.userId, session), joinUrl: await this.meetings.joinUrl(session.id) });
    const write = async () => {
      // re-read (under the lock when there is one): another instance may have written the event meanwhile
      const current = (await this.events.findOneBy({ id: link.id })) ?? link;
      return this.calls.run(provider, connection, { action: 'events.upsert', sessionId: session.id }, (access) => provider.upsertEvent(access, content, refOf(current)));
    };
    const run = () => (provider.needsWriteLock ? this.calls.exclusive(`calendar-event:${link.id}`, write) : write());
    const written = httpCode ? await this.orFail(httpCode, run) : await run();
    link.providerEventId = written.providerEventId;
    link.calendarRef = written.calendarRef;
    link.etag = written.etag;
    link.state = 'synced';
    link.syncedStart = session.startTime;
    link.syncedEnd = session.endTime;
    link.lastSyncedAt = new Date();
    link.lastError = null;
    await this.events.save(link);
    await this.connections.recordSuccess(connection.id);
  }

  /** The link row of (session, person, provider); created once even when two requests race (unique key). */
  private async linkFor(session: TherapySession, ownerId: string, connection: ConnectionView): Promise<CalendarEvent> {
    await this.events
      .createQueryBuilder()
      .insert()
      .values({ sessionId: session.id, userId: ownerId, connectionId: connection.id, provider: connection.provider, eventKey: session.id, state: 'pending' })
      .orIgnore()
      .execute();
    const link = await this.events.findOneByOrFail({ userId: ownerId, provider: connection.provider, eventKey: session.id });
    if (link.connectionId !== connection.id) link.connectionId = connection.id;
    return link;
  }

  private async initialsFor(ownerId: string, session: TherapySession): Promise<string | null> {
    if (ownerId !== session.therapistId) return null;
    const [pref] = (await this.dataSource.query('SELECT show_client_initials FROM calendar_preferences WHERE user_id = $1', [ownerId])) as Array<{ show_client_initials: boolean }>;
    if (!pref?.show_client_initials) return null;
    const client = await this.dataSource.getRepository(User).findOneBy({ id: session.clientId });
    return client ? initialsOf(client.name) : null;
  }

  private async callOrFail<T>(code: string, provider: CalendarProvider, connection: ConnectionView, options: { action: string; sessionId?: string | null }, call: (access: ProviderAccess) => Promise<T>): Promise<T> {
    return this.orFail(code, () => this.calls.run(provider, connection, options, call));
  }

  private async orFail<T>(code: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ConnectionReauthRequiredError) throw error.toAppException();
      if (error instanceof AppException) throw error;
      throw new AppException(code, `The calendar provider refused the request (${safeReason(error)})`, { status: HttpStatus.BAD_GATEWAY, cause: error });
    }
  }

  private async connectionOf(userId: string, provider: CalendarProviderName): Promise<ConnectionView> {
    const connection = await this.connections.find(userId, provider);
    if (!connection || connection.purpose !== 'calendar') throw calendarNotConnected(provider);
    if (connection.status === 'needs_reauth') {
      throw new AppException('CONNECTION_NEEDS_REAUTH', `The ${provider} calendar must be connected again: ${connection.statusReason ?? ''}`, { status: HttpStatus.CONFLICT });
    }
    return connection;
  }

  private knownProvider(name: string): CalendarProvider {
    return this.registry.get(name);
  }

  private oauthProvider(name: string): CalendarProvider {
    const provider = this.registry.get(name);
    if (provider.access !== 'oauth') throw new AppException('PROVIDER_NOT_SUPPORTED', `${name} connects with an app password: POST /api/integrations/calendar/apple/connect`);
    return provider;
  }
}

function refOf(link: CalendarEvent): StoredEventRef {
  return { key: link.eventKey, providerEventId: link.providerEventId, calendarRef: link.calendarRef, etag: link.etag };
}

function safeReason(error: unknown): string {
  if (error instanceof CalendarProviderError) return error.reason.slice(0, 300);
  if (error instanceof Error && error.name === 'RetryAfterError') return 'rate limited by the provider';
  return 'the provider could not be reached';
}

import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, Not } from 'typeorm';
import { IntegrationLogService } from '../audit/integration-log.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { Role, User } from '../auth/users/user.entity.js';
import { AppException } from '../common/app-exception.js';
import { AppConfig } from '../config/app-config.js';
import { ConnectionReauthRequiredError } from '../connections/connections-errors.js';
import { SessionStatus, type TherapySession } from '../therapy-sessions/therapy-session.entity.js';
import { TherapySessionsService } from '../therapy-sessions/therapy-sessions.service.js';
import { MeetingEvents, type MeetingChangedEvent } from './meeting-links.js';
import { MeetingSecrets } from './meeting-secrets.js';
import { VideoProviderRegistry } from './providers/provider-registry.js';
import type { MeetingRef, VideoProvider } from './providers/video-provider.js';
import { MeetingRemindersService } from './reminders/meeting-reminders.service.js';
import { meetingConflict, meetingNotFound, VideoProviderName } from './video-errors.js';
import { MeetingStatus, VideoMeeting } from './video-meeting.entity.js';
import type { CreatedMeetingDto, MeetingDto, UpdateMeetingDto } from './video.dto.js';

/** A create request waits this long for a concurrent create of the same session before answering 409. */
const CLAIM_WAIT_MS = 15_000;
/** A 'creating' claim older than this belongs to a request that died; it may be taken over. */
const STALE_CLAIM_MS = 2 * 60_000;
const TOPIC = 'Therapy session';

/** Meeting hosts for the seed's URL patterns: a hand-entered link must point at the provider it claims. */
const URL_HOSTS: Record<VideoProviderName, RegExp> = {
  [VideoProviderName.Zoom]: /(^|\.)(zoom\.us|zoomgov\.com)$/i,
  [VideoProviderName.Teams]: /(^|\.)(teams\.microsoft\.com|teams\.live\.com|teams\.microsoft\.us)$/i,
};

@Injectable()
export class VideoService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: TherapySessionsService,
    private readonly providers: VideoProviderRegistry,
    private readonly secrets: MeetingSecrets,
    private readonly logs: IntegrationLogService,
    private readonly reminders: MeetingRemindersService,
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
  ) {}

  /** Creates the session's room at the provider, or returns the one it already has (`created: false`). */
  async create(user: AuthUser, sessionId: string, providerName: string): Promise<{ meeting: CreatedMeetingDto; created: boolean }> {
    const provider = this.providers.get(providerName);
    const session = await this.sessions.get(user, sessionId);
    assertUpcoming(session);
    const claim = await this.claim(session, provider.name);
    if (claim.existing) return { meeting: this.createdView(claim.existing), created: false };
    const meeting = claim.claimed!;
    try {
      const host = await this.dataSource.manager.findOneByOrFail(User, { id: session.therapistId });
      const created = await this.track(user, provider, 'meeting.create', session.id, () =>
        provider.createMeeting({
          sessionId: session.id,
          host: { userId: host.id, email: host.email },
          topic: TOPIC,
          start: session.startTime,
          end: session.endTime,
          timezone: session.timezone,
          recording: this.config.video.recordingPolicy,
        }),
      );
      Object.assign(meeting, {
        status: MeetingStatus.Active,
        externalId: created.externalId,
        externalUuid: created.externalUuid,
        eventId: created.eventId,
        authMode: created.authMode,
        joinUrl: created.joinUrl,
        passcodeEncrypted: this.secrets.seal(meeting.id, 'passcode', created.passcode),
        startUrlEncrypted: this.secrets.seal(meeting.id, 'start_url', created.startUrl),
        scheduledStart: session.startTime,
        scheduledEnd: session.endTime,
        timezone: session.timezone,
      });
      await this.dataSource.transaction(async (manager) => {
        await manager.save(meeting);
        await this.reminders.schedule(manager, session);
        await this.changed(session.id, manager);
      });
      return { meeting: this.createdView(meeting), created: true };
    } catch (error) {
      await this.dataSource.manager.delete(VideoMeeting, { id: meeting.id, status: MeetingStatus.Creating });
      throw error;
    }
  }

  async get(user: AuthUser, sessionId: string): Promise<{ meeting: MeetingDto }> {
    const session = await this.sessions.get(user, sessionId);
    const meeting = await this.live(session.id);
    return { meeting: this.view(meeting, isHostOrAdmin(user, session)) };
  }

  /**
   * The seed's PUT: records a room made outside this service (the therapist's own link), or corrects the links of
   * the current one. A room we created at the provider is not silently replaced: delete it first.
   */
  async put(user: AuthUser, sessionId: string, input: UpdateMeetingDto): Promise<{ meeting: MeetingDto }> {
    const provider = this.providers.get(input.provider);
    const session = await this.sessions.get(user, sessionId);
    if (session.status === SessionStatus.Cancelled) throw new AppException('INVALID_SESSION_STATE', 'The session is cancelled');
    for (const url of [input.joinUrl, input.startUrl]) {
      if (url !== undefined && !URL_HOSTS[provider.name].test(new URL(url).hostname)) {
        throw new AppException('VALIDATION_ERROR', `The meeting links must be ${provider.name} links`);
      }
    }
    const meeting = await this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(VideoMeeting, {
        where: { sessionId: session.id, status: Not(MeetingStatus.Deleted) },
        lock: { mode: 'pessimistic_write' },
      });
      if (current?.status === MeetingStatus.Creating) throw meetingConflict('A meeting is being created for this session; try again shortly');
      const sameRoom = current && current.provider === provider.name && current.externalId === input.meetingId;
      if (current && current.managed && !sameRoom) {
        throw meetingConflict('This session has a meeting created at the provider; delete it before entering another');
      }
      const row =
        current ??
        manager.create(VideoMeeting, {
          sessionId: session.id,
          hostUserId: session.therapistId,
          managed: false,
          status: MeetingStatus.Active,
          authMode: null,
          externalUuid: null,
          eventId: null,
          scheduledStart: session.startTime,
          scheduledEnd: session.endTime,
          timezone: session.timezone,
        });
      row.provider = provider.name;
      row.externalId = input.meetingId;
      row.joinUrl = input.joinUrl;
      if (!sameRoom) {
        row.externalUuid = null;
        row.eventId = null;
      }
      const saved = await manager.save(row);
      saved.passcodeEncrypted = this.secrets.seal(saved.id, 'passcode', input.password ?? null);
      saved.startUrlEncrypted = this.secrets.seal(saved.id, 'start_url', input.startUrl ?? null);
      const stored = await manager.save(saved);
      if (!current && session.status === SessionStatus.Scheduled) await this.reminders.schedule(manager, session);
      if (current?.joinUrl !== stored.joinUrl) await this.changed(session.id, manager);
      return stored;
    });
    return { meeting: this.view(meeting, true) };
  }

  /** Deletes the room at the provider (already gone counts as deleted) and here. */
  async delete(user: AuthUser, sessionId: string, providerName: string): Promise<{ provider: string; meetingId: string | null }> {
    const provider = this.providers.get(providerName);
    const session = await this.sessions.get(user, sessionId);
    const meeting = await this.live(session.id, provider.name);
    if (meeting.managed && meeting.externalId) {
      await this.track(user, provider, 'meeting.delete', session.id, () => provider.deleteMeeting(this.ref(meeting, session)));
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.update(VideoMeeting, { id: meeting.id }, { status: MeetingStatus.Deleted, deletedAt: new Date() });
      await this.changed(session.id, manager);
    });
    return { provider: meeting.provider, meetingId: meeting.externalId };
  }

  async sendReminders(user: AuthUser, sessionId: string): Promise<number> {
    const session = await this.sessions.get(user, sessionId);
    const meeting = await this.live(session.id);
    if (session.status !== SessionStatus.Scheduled) {
      throw new AppException('INVALID_SESSION_STATE', `No reminders for a ${session.status} session`);
    }
    return this.reminders.sendNow(session, meeting);
  }

  /** The latest room of the session, live or deleted: attendance and recordings outlive the room. */
  async latestForInsight(user: AuthUser, sessionId: string): Promise<{ session: TherapySession; meeting: VideoMeeting }> {
    const session = await this.sessions.get(user, sessionId);
    const meeting = await this.dataSource.manager.findOne(VideoMeeting, {
      where: { sessionId: session.id, status: Not(MeetingStatus.Creating) },
      order: { createdAt: 'DESC' },
    });
    if (!meeting?.externalId) throw meetingNotFound();
    return { session, meeting };
  }

  ref(meeting: VideoMeeting, session: Pick<TherapySession, 'id' | 'therapistId'>, hostEmail = ''): MeetingRef {
    return {
      sessionId: session.id,
      host: { userId: meeting.hostUserId, email: hostEmail },
      externalId: meeting.externalId!,
      externalUuid: meeting.externalUuid,
      eventId: meeting.eventId,
      authMode: meeting.authMode,
    };
  }

  /** A provider call for an HTTP request: integration_logs, and a connection needing re-authorisation answers 409. */
  async track<T>(user: Pick<AuthUser, 'id'> | null, provider: VideoProvider, action: string, sessionId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await this.trackInJob(user, provider, action, sessionId, run);
    } catch (error) {
      if (error instanceof ConnectionReauthRequiredError) throw error.toAppException();
      throw error;
    }
  }

  /** A provider call from a job: integration_logs; errors pass unchanged (ConnectionReauthRequiredError is permanent). */
  trackInJob<T>(user: Pick<AuthUser, 'id'> | null, provider: VideoProvider, action: string, sessionId: string, run: () => Promise<T>): Promise<T> {
    return this.logs.track({ userId: user?.id ?? null, provider: provider.name, action, sessionId }, run);
  }

  /** Tells subscribers (calendar events carry the join link) inside the transaction that changed the room. */
  private async changed(sessionId: string, manager: EntityManager): Promise<void> {
    const event: MeetingChangedEvent = { sessionId, manager };
    await this.events.emitAsync(MeetingEvents.Changed, event);
  }

  private async live(sessionId: string, provider?: VideoProviderName): Promise<VideoMeeting> {
    const meeting = await this.dataSource.manager.findOneBy(VideoMeeting, { sessionId, status: MeetingStatus.Active });
    if (!meeting || (provider && meeting.provider !== provider)) throw meetingNotFound();
    return meeting;
  }

  /**
   * One live room per session, enforced by a partial unique index: the request that inserts the 'creating' row
   * talks to the provider; a concurrent one waits for it and returns the same room.
   */
  private async claim(session: TherapySession, provider: VideoProviderName): Promise<{ existing?: VideoMeeting; claimed?: VideoMeeting }> {
    const deadline = Date.now() + CLAIM_WAIT_MS;
    for (;;) {
      const current = await this.dataSource.manager.findOne(VideoMeeting, { where: { sessionId: session.id, status: Not(MeetingStatus.Deleted) } });
      if (current?.status === MeetingStatus.Active) {
        if (current.provider !== provider) throw meetingConflict(`This session already has a ${current.provider} meeting`);
        return { existing: current };
      }
      if (current && Date.now() - current.updatedAt.getTime() > STALE_CLAIM_MS) {
        await this.dataSource.manager.delete(VideoMeeting, { id: current.id, status: MeetingStatus.Creating });
        continue;
      }
      if (!current) {
        const claimed = await this.insertClaim(session, provider);
        if (claimed) return { claimed };
      }
      if (Date.now() > deadline) throw meetingConflict('A meeting is being created for this session; try again shortly');
      await sleep(150);
    }
  }

  private async insertClaim(session: TherapySession, provider: VideoProviderName): Promise<VideoMeeting | null> {
    const rows = (await this.dataSource.query(
      `INSERT INTO video_meetings (session_id, provider, status, managed, host_user_id)
       VALUES ($1, $2, 'creating', true, $3)
       ON CONFLICT (session_id) WHERE status <> 'deleted' DO NOTHING RETURNING id`,
      [session.id, provider, session.therapistId],
    )) as Array<{ id: string }>;
    return rows[0] ? this.dataSource.manager.findOneByOrFail(VideoMeeting, { id: rows[0].id }) : null;
  }

  private createdView(meeting: VideoMeeting): CreatedMeetingDto {
    return {
      meetingId: meeting.externalId!,
      joinUrl: meeting.joinUrl!,
      password: this.secrets.passcode(meeting),
      startUrl: this.secrets.startUrl(meeting),
      provider: meeting.provider,
    };
  }

  /** The start URL gives host rights: only the session's therapist and admins ever receive it. */
  private view(meeting: VideoMeeting, host: boolean): MeetingDto {
    return {
      meetingId: meeting.externalId!,
      joinUrl: meeting.joinUrl!,
      password: this.secrets.passcode(meeting),
      ...(host ? { startUrl: this.secrets.startUrl(meeting) } : {}),
      provider: meeting.provider,
      createdAt: meeting.createdAt.toISOString(),
    };
  }
}

export function isHostOrAdmin(user: AuthUser, session: Pick<TherapySession, 'therapistId'>): boolean {
  return user.role === Role.Admin || (user.role === Role.Therapist && user.id === session.therapistId);
}

function assertUpcoming(session: TherapySession): void {
  if (session.status !== SessionStatus.Scheduled) {
    throw new AppException('INVALID_SESSION_STATE', `A ${session.status} session gets no meeting`);
  }
  if (session.endTime.getTime() <= Date.now()) throw new AppException('INVALID_SESSION_STATE', 'The session is over');
}


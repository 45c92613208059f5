import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, Repository } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { JobHandler, JobQueue, type QueuedJob } from '../jobs/index.js';
import { SessionEvents, type SessionChangedEvent } from '../therapy-sessions/session-events.js';
import { MeetingEvents, type MeetingChangedEvent } from '../video/meeting-links.js';
import { CalendarEvent } from './calendar-event.entity.js';
import { CalendarService, DRIFT_WATCH_AFTER_END_MS } from './calendar.service.js';

export const CALENDAR_EVENT_SYNC_QUEUE = 'calendar.event-sync';
export const CALENDAR_DRIFT_QUEUE = 'calendar.drift-check';
/** Scheduled (CALENDAR_DRIFT_CHECK_CRON): fans out one drift check per connection with linked events. */
export const CALENDAR_DRIFT_SWEEP_QUEUE = 'calendar.drift-sweep';

/**
 * Keeps linked calendar events in step with their sessions. Listeners only enqueue (inside the session's
 * transaction); the job reads the session as it is when it runs, so several quick changes make one provider call.
 */
@Injectable()
export class CalendarSyncJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger(CalendarSyncJobs.name);

  constructor(
    @InjectRepository(CalendarEvent) private readonly events: Repository<CalendarEvent>,
    private readonly jobs: JobQueue,
    private readonly calendar: CalendarService,
    private readonly config: AppConfig,
  ) {}

  /** Polling is what catches changes on every provider (CalDAV and Graph have no push we can rely on here). */
  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule(CALENDAR_DRIFT_SWEEP_QUEUE, this.config.calendar.driftCheckCron, {});
  }

  @OnEvent(SessionEvents.Rescheduled)
  @OnEvent(SessionEvents.Cancelled)
  async onSessionChanged({ session, manager }: SessionChangedEvent): Promise<void> {
    await this.resyncSession(session.id, manager);
  }

  /** The event descriptions carry the room's join link: a new, changed or deleted room rewrites them. */
  @OnEvent(MeetingEvents.Changed)
  async onMeetingChanged({ sessionId, manager }: MeetingChangedEvent): Promise<void> {
    await this.resyncSession(sessionId, manager);
  }

  private async resyncSession(sessionId: string, manager: EntityManager): Promise<void> {
    const links = await manager.find(CalendarEvent, { where: { sessionId, state: In(['synced', 'pending', 'failed']) } });
    for (const link of links) {
      await this.jobs.enqueue(CALENDAR_EVENT_SYNC_QUEUE, { calendarEventId: link.id }, { manager, singletonKey: link.id });
    }
  }

  @JobHandler({ queue: CALENDAR_EVENT_SYNC_QUEUE, retryLimit: 8, retryDelaySeconds: 5, retryBackoff: true, retryDelayMaxSeconds: 900, policy: 'short', concurrency: 4 })
  async syncEvent(job: QueuedJob<{ calendarEventId: string }>): Promise<void> {
    await this.calendar.reconcileLink(job.data.calendarEventId);
  }

  @JobHandler({ queue: CALENDAR_DRIFT_QUEUE, retryLimit: 3, retryDelaySeconds: 30, retryBackoff: true, policy: 'short', concurrency: 4 })
  async driftCheck(job: QueuedJob<{ connectionId: string }>): Promise<void> {
    await this.calendar.checkDrift(job.data.connectionId);
  }

  @JobHandler({ queue: CALENDAR_DRIFT_SWEEP_QUEUE, retryLimit: 1, retryDelaySeconds: 60, retryBackoff: false, policy: 'singleton' })
  async driftSweep(): Promise<void> {
    const count = await this.enqueueDriftChecks();
    if (count > 0) this.logger.log(`drift checks enqueued for ${count} calendar connection(s)`);
  }

  /**
   * Enqueues a drift check for every usable calendar connection with events of sessions still worth watching (not
   * long over). A connection waiting for re-authorisation is skipped: its owner already sees that in the list.
   */
  async enqueueDriftChecks(): Promise<number> {
    const rows = (await this.events.query(
      `SELECT DISTINCT e.connection_id
         FROM calendar_events e
         JOIN connections c ON c.id = e.connection_id
        WHERE e.state = 'synced' AND e.session_id IS NOT NULL AND c.status <> 'needs_reauth'
          AND e.synced_end > now() - make_interval(secs => $1)`,
      [DRIFT_WATCH_AFTER_END_MS / 1000],
    )) as Array<{ connection_id: string }>;
    for (const row of rows) await this.jobs.enqueue(CALENDAR_DRIFT_QUEUE, { connectionId: row.connection_id }, { singletonKey: row.connection_id });
    return rows.length;
  }
}

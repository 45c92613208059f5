import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { JobHandler, JobQueue, type QueuedJob } from '../jobs/index.js';
import { SessionEvents, type SessionChangedEvent } from '../therapy-sessions/session-events.js';
import { CalendarEvent } from './calendar-event.entity.js';
import { CalendarService } from './calendar.service.js';

export const CALENDAR_EVENT_SYNC_QUEUE = 'calendar.event-sync';
export const CALENDAR_DRIFT_QUEUE = 'calendar.drift-check';

/**
 * Keeps linked calendar events in step with their sessions. Listeners only enqueue (inside the session's
 * transaction); the job reads the session as it is when it runs, so several quick changes make one provider call.
 */
@Injectable()
export class CalendarSyncJobs {
  constructor(
    @InjectRepository(CalendarEvent) private readonly events: Repository<CalendarEvent>,
    private readonly jobs: JobQueue,
    private readonly calendar: CalendarService,
  ) {}

  @OnEvent(SessionEvents.Rescheduled)
  @OnEvent(SessionEvents.Cancelled)
  async onSessionChanged({ session, manager }: SessionChangedEvent): Promise<void> {
    const links = await manager.find(CalendarEvent, { where: { sessionId: session.id, state: In(['synced', 'pending', 'failed']) } });
    for (const link of links) {
      await this.jobs.enqueue(CALENDAR_EVENT_SYNC_QUEUE, { calendarEventId: link.id }, { manager, singletonKey: link.id });
    }
  }

  @JobHandler({ queue: CALENDAR_EVENT_SYNC_QUEUE, retryLimit: 8, retryDelaySeconds: 5, retryBackoff: true, retryDelayMaxSeconds: 900, policy: 'short', concurrency: 4 })
  async syncEvent(job: QueuedJob<{ calendarEventId: string }>): Promise<void> {
    await this.calendar.reconcileLink(job.data.calendarEventId);
  }

  @JobHandler({ queue: CALENDAR_DRIFT_QUEUE, retryLimit: 3, retryDelaySeconds: 30, retryBackoff: true, policy: 'short' })
  async driftCheck(job: QueuedJob<{ connectionId: string }>): Promise<void> {
    await this.calendar.checkDrift(job.data.connectionId);
  }

  /** Enqueues a drift check for every calendar connection with linked events (run by the schedule). */
  async enqueueDriftChecks(): Promise<number> {
    const rows = (await this.events.query(`SELECT DISTINCT connection_id FROM calendar_events WHERE state = 'synced' AND session_id IS NOT NULL`)) as Array<{ connection_id: string }>;
    for (const row of rows) await this.jobs.enqueue(CALENDAR_DRIFT_QUEUE, { connectionId: row.connection_id }, { singletonKey: row.connection_id });
    return rows.length;
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobHandler, JobQueue, PermanentJobError, type QueuedJob, RetryAfterError } from '../jobs/index.js';
import { SessionEvents, type SessionChangedEvent } from '../therapy-sessions/session-events.js';
import { SessionStatus, TherapySession } from '../therapy-sessions/therapy-session.entity.js';
import { VideoProviderRegistry } from './providers/provider-registry.js';
import { MeetingRemindersService } from './reminders/meeting-reminders.service.js';
import { VideoProviderError } from './video-errors.js';
import { MeetingStatus, VideoMeeting } from './video-meeting.entity.js';
import { VideoService } from './video.service.js';

export const MEETING_SYNC_QUEUE = 'video.meeting-sync';

interface MeetingSyncJob {
  sessionId: string;
}

/**
 * Keeps the provider's room in step with the session: a reschedule moves it, a cancellation deletes it. The
 * session's listeners only enqueue (inside the session's transaction); the job reads the current state and calls
 * the provider, so several changes in a row end in one call with the latest times.
 */
@Injectable()
export class MeetingSyncJobs {
  private readonly logger = new Logger(MeetingSyncJobs.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly providers: VideoProviderRegistry,
    private readonly video: VideoService,
    private readonly reminders: MeetingRemindersService,
  ) {}

  @OnEvent(SessionEvents.Rescheduled)
  async onRescheduled({ session, manager }: SessionChangedEvent): Promise<void> {
    const meeting = await manager.findOneBy(VideoMeeting, { sessionId: session.id, status: MeetingStatus.Active });
    if (!meeting) return;
    if (meeting.managed) await this.jobs.enqueue(MEETING_SYNC_QUEUE, { sessionId: session.id }, { manager, singletonKey: session.id });
    await this.reminders.schedule(manager, session);
  }

  @OnEvent(SessionEvents.Cancelled)
  async onCancelled({ session, manager }: SessionChangedEvent): Promise<void> {
    const meeting = await manager.findOneBy(VideoMeeting, { sessionId: session.id, status: MeetingStatus.Active });
    if (!meeting) return;
    if (meeting.managed) {
      await this.jobs.enqueue(MEETING_SYNC_QUEUE, { sessionId: session.id }, { manager, singletonKey: session.id });
    } else {
      // a hand-entered room is not ours to delete at the provider; it just stops being the session's room
      await manager.update(VideoMeeting, { id: meeting.id }, { status: MeetingStatus.Deleted, deletedAt: new Date() });
    }
  }

  @JobHandler({ queue: MEETING_SYNC_QUEUE, retryLimit: 6, retryDelaySeconds: 15, retryBackoff: true, retryDelayMaxSeconds: 900, policy: 'short' })
  async sync(job: QueuedJob<MeetingSyncJob>): Promise<void> {
    const session = await this.dataSource.manager.findOneBy(TherapySession, { id: job.data.sessionId });
    const meeting = await this.dataSource.manager.findOneBy(VideoMeeting, { sessionId: job.data.sessionId, status: MeetingStatus.Active });
    if (!session || !meeting?.managed || !meeting.externalId) return;
    const provider = this.providers.get(meeting.provider);
    const ref = this.video.ref(meeting, session);
    try {
      if (session.status === SessionStatus.Cancelled) {
        await this.video.trackInJob(null, provider, 'meeting.delete', session.id, () => provider.deleteMeeting(ref));
        await this.dataSource.manager.update(VideoMeeting, { id: meeting.id }, { status: MeetingStatus.Deleted, deletedAt: new Date(), lastError: null });
        return;
      }
      const moved =
        meeting.scheduledStart?.getTime() !== session.startTime.getTime() ||
        meeting.scheduledEnd?.getTime() !== session.endTime.getTime() ||
        meeting.timezone !== session.timezone;
      if (!moved) return;
      const schedule = { start: session.startTime, end: session.endTime, timezone: session.timezone };
      await this.video.trackInJob(null, provider, 'meeting.update', session.id, () => provider.updateMeeting(ref, schedule));
      await this.dataSource.manager.update(
        VideoMeeting,
        { id: meeting.id },
        { scheduledStart: session.startTime, scheduledEnd: session.endTime, timezone: session.timezone, lastError: null },
      );
    } catch (error) {
      throw await this.forQueue(meeting, error);
    }
  }

  /** Rate limits wait as long as the provider asked; what retrying cannot fix fails the job for good. */
  private async forQueue(meeting: VideoMeeting, error: unknown): Promise<unknown> {
    if (!(error instanceof VideoProviderError)) return error;
    if (error.reason === 'RATE_LIMITED') return new RetryAfterError(error.extra.retryAfterSeconds ?? 60, error);
    if (error.retryable) return error;
    await this.dataSource.manager.update(VideoMeeting, { id: meeting.id }, { lastError: `${error.reason}: ${error.message}`.slice(0, 500) });
    this.logger.warn({ meetingId: meeting.id, reason: error.reason }, 'meeting sync gave up');
    return new PermanentJobError(error.message, error);
  }
}

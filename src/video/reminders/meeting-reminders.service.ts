import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { User } from '../../auth/users/user.entity.js';
import { AppConfig } from '../../config/app-config.js';
import { JobHandler, JobQueue, type QueuedJob } from '../../jobs/index.js';
import { MeetingReminderMail } from '../../notifications/meeting-reminder.mail.js';
import { SessionStatus, TherapySession } from '../../therapy-sessions/therapy-session.entity.js';
import { MeetingSecrets } from '../meeting-secrets.js';
import { MeetingStatus, VideoMeeting } from '../video-meeting.entity.js';
import { MeetingReminder } from './meeting-reminder.entity.js';

export const REMINDER_QUEUE = 'video.meeting-reminder';

interface ReminderJob {
  sessionId: string;
  /** '1440m', '60m' */
  slot: string;
  /** the session start the reminder was planned for; a moved session makes the job stale */
  sessionStart: string;
}

/** Reminder emails before each session with a meeting: scheduled per slot, and on demand. */
@Injectable()
export class MeetingRemindersService {
  private readonly logger = new Logger(MeetingRemindersService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
    private readonly mail: MeetingReminderMail,
    private readonly secrets: MeetingSecrets,
  ) {}

  /**
   * Plans the reminders of the session's current slot inside the caller's transaction. Jobs planned for an older
   * start become no-ops when they run; the same slot planned twice is one job (singleton key) and one send.
   */
  async schedule(manager: EntityManager, session: TherapySession, now = Date.now()): Promise<number> {
    let planned = 0;
    for (const minutes of this.config.video.reminderOffsetsMinutes) {
      const at = session.startTime.getTime() - minutes * 60_000;
      if (at <= now) continue;
      const data: ReminderJob = { sessionId: session.id, slot: `${minutes}m`, sessionStart: session.startTime.toISOString() };
      await this.jobs.enqueue(REMINDER_QUEUE, data, {
        manager,
        startAfter: new Date(at),
        singletonKey: `${data.sessionId}:${data.slot}:${data.sessionStart}`,
      });
      planned++;
    }
    return planned;
  }

  @JobHandler({ queue: REMINDER_QUEUE, retryLimit: 5, retryDelaySeconds: 30, retryBackoff: true, policy: 'short' })
  async onReminderDue(job: QueuedJob<ReminderJob>): Promise<void> {
    const { sessionId, slot, sessionStart } = job.data;
    const session = await this.dataSource.manager.findOneBy(TherapySession, { id: sessionId });
    if (!session || session.status !== SessionStatus.Scheduled || session.startTime.toISOString() !== sessionStart) return;
    const meeting = await this.dataSource.manager.findOneBy(VideoMeeting, { sessionId, status: MeetingStatus.Active });
    if (!meeting) return;
    const claimed = await this.claim(session, slot);
    if (!claimed) return;
    await this.sendClaimed(claimed, session, meeting);
  }

  /** Sends now (the reminders endpoint); recorded as a 'manual' round. */
  async sendNow(session: TherapySession, meeting: VideoMeeting): Promise<number> {
    const claimed = await this.claim(session, 'manual');
    return this.sendClaimed(claimed!, session, meeting);
  }

  /** The unique (session, slot, start) row: whoever inserts it sends; a duplicate job finds it and stops. */
  private async claim(session: TherapySession, slot: string): Promise<string | null> {
    const rows = (await this.dataSource.query(
      `INSERT INTO meeting_reminders (session_id, slot, session_start, status) VALUES ($1, $2, $3, 'sending')
       ON CONFLICT DO NOTHING RETURNING id`,
      [session.id, slot, session.startTime],
    )) as Array<{ id: string }>;
    return rows[0]?.id ?? null;
  }

  private async sendClaimed(reminderId: string, session: TherapySession, meeting: VideoMeeting): Promise<number> {
    try {
      const people = await this.dataSource.manager.findBy(User, [{ id: session.therapistId }, { id: session.clientId }]);
      const therapist = people.find((person) => person.id === session.therapistId);
      const client = people.find((person) => person.id === session.clientId);
      const facts = {
        provider: meeting.provider,
        start: session.startTime,
        end: session.endTime,
        joinUrl: meeting.joinUrl ?? '',
        passcode: this.secrets.passcode(meeting),
      };
      let sent = 0;
      if (therapist) {
        await this.mail.sendToHost(therapist, { ...facts, startUrl: this.secrets.startUrl(meeting) });
        sent++;
      }
      if (client) {
        await this.mail.sendToGuest(client, facts);
        sent++;
      }
      await this.dataSource.manager.update(MeetingReminder, { id: reminderId }, { status: 'sent', sentAt: new Date(), recipients: sent });
      return sent;
    } catch (error) {
      // nothing went out (or not all of it): free the slot so that the retry can send
      await this.dataSource.manager.delete(MeetingReminder, { id: reminderId });
      this.logger.warn({ sessionId: session.id, err: error instanceof Error ? error.message : error }, 'reminder not sent');
      throw error;
    }
  }
}

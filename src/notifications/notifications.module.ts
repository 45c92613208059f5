import { Module } from '@nestjs/common';
import { Mailer } from './mailer.service.js';
import { MeetingReminderMail } from './meeting-reminder.mail.js';

/** Email notifications over SMTP (SMTP_URL): meeting reminders. */
@Module({
  providers: [Mailer, MeetingReminderMail],
  exports: [Mailer, MeetingReminderMail],
})
export class NotificationsModule {}

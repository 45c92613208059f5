import { Injectable } from '@nestjs/common';
import { Mailer } from './mailer.service.js';

export interface ReminderRecipient {
  email: string;
  name: string;
  timeZone: string;
}

interface ReminderFacts {
  provider: 'zoom' | 'teams';
  start: Date;
  end: Date;
  joinUrl: string;
  passcode: string | null;
}

const PROVIDER_LABEL = { zoom: 'Zoom', teams: 'Microsoft Teams' } as const;

function when(start: Date, end: Date, timeZone: string): string {
  const day = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full' }).format(start);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, timeStyle: 'short' });
  return `${day}, ${time.format(start)}–${time.format(end)} (${timeZone})`;
}

/**
 * Reminder emails for a session's video room. The host's and the guest's mails are built by separate methods so
 * that the start URL (host rights) can only ever go into the host's. Subjects and bodies carry no clinical detail.
 */
@Injectable()
export class MeetingReminderMail {
  constructor(private readonly mailer: Mailer) {}

  async sendToHost(to: ReminderRecipient, facts: ReminderFacts & { startUrl: string | null }): Promise<void> {
    const lines = [
      `Hello ${to.name},`,
      '',
      `Your video session on ${PROVIDER_LABEL[facts.provider]} is on ${when(facts.start, facts.end, to.timeZone)}.`,
      '',
      facts.startUrl ? `Start the meeting as host: ${facts.startUrl}` : `Join the meeting: ${facts.joinUrl}`,
      ...(facts.startUrl ? [`Join link for reference: ${facts.joinUrl}`] : []),
      ...(facts.passcode ? [`Passcode: ${facts.passcode}`] : []),
      '',
      'This host link is for you only; do not forward it.',
    ];
    await this.mailer.send({ to: to.email, subject: 'Reminder: your upcoming video session', text: lines.join('\n') });
  }

  async sendToGuest(to: ReminderRecipient, facts: ReminderFacts): Promise<void> {
    const lines = [
      `Hello ${to.name},`,
      '',
      `Your video session on ${PROVIDER_LABEL[facts.provider]} is on ${when(facts.start, facts.end, to.timeZone)}.`,
      '',
      `Join the meeting: ${facts.joinUrl}`,
      ...(facts.passcode ? [`Passcode: ${facts.passcode}`] : []),
      '',
      'You may wait in the waiting room until your therapist lets you in.',
    ];
    await this.mailer.send({ to: to.email, subject: 'Reminder: your upcoming video session', text: lines.join('\n') });
  }
}

import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { AppException } from '../common/app-exception.js';
import { AppConfig } from '../config/app-config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends mail over SMTP (SMTP_URL) with nodemailer; one pooled transport per process. */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private transport?: Transporter;

  constructor(private readonly config: AppConfig) {}

  get configured(): boolean {
    return Boolean(this.config.mail.smtpUrl);
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const info = await this.transporter().sendMail({ from: this.config.mail.from, ...mail });
    return { messageId: info.messageId };
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }

  private transporter(): Transporter {
    if (!this.config.mail.smtpUrl) throw new AppException('PROVIDER_NOT_CONFIGURED', 'Email is not configured (SMTP_URL)');
    this.transport ??= nodemailer.createTransport(this.config.mail.smtpUrl);
    return this.transport;
  }
}

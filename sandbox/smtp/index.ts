/**
 * The sandbox's SMTP catcher: accepts every message on a local port (no TLS, any or no AUTH) and keeps it in memory
 * so tests and the inspection page can show what the service would have mailed.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseMail, type ParsedMail } from './mime.js';

export interface CaughtMail extends ParsedMail {
  id: number;
  receivedAt: string;
  /** SMTP envelope: MAIL FROM and RCPT TO, which may differ from the headers (Bcc) */
  envelope: { from: string | null; to: string[] };
  raw: string;
}

export interface SmtpCatcherOptions {
  port?: number;
  host?: string;
  onMessage?: (mail: CaughtMail) => void;
}

export interface SmtpCatcher {
  url: string;
  port: number;
  messages(): CaughtMail[];
  reset(): void;
  stop(): Promise<void>;
}

export async function startSmtpCatcher(options: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
  const host = options.host ?? '127.0.0.1';
  let caught: CaughtMail[] = [];
  let nextId = 1;

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    // the app may be configured with credentials; the catcher accepts any
    onAuth: (_auth, _session, callback) => callback(null, { user: 'sandbox' }),
    logger: false,
    banner: 'sandbox SMTP catcher',
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mailFrom = session.envelope.mailFrom;
        const mail: CaughtMail = {
          id: nextId++,
          receivedAt: new Date().toISOString(),
          envelope: {
            from: mailFrom ? mailFrom.address : null,
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
          },
          raw,
          ...parseMail(raw),
        };
        caught.push(mail);
        options.onMessage?.(mail);
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://${host}:${port}`,
    port,
    messages: () => [...caught],
    reset: () => {
      caught = [];
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

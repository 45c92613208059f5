import nodemailer from 'nodemailer';
import { startSmtpCatcher, type SmtpCatcher } from '../../sandbox/smtp/index.js';

describe('startSmtpCatcher', () => {
  let catcher: SmtpCatcher;
  const received: string[] = [];

  beforeAll(async () => {
    catcher = await startSmtpCatcher({ port: 0, onMessage: (mail) => received.push(mail.subject) });
  });
  afterAll(() => catcher.stop());
  beforeEach(() => catcher.reset());

  it('catches a multipart message sent by nodemailer and shows from, to, subject and text', async () => {
    const transport = nodemailer.createTransport({ url: catcher.url } as never);
    await transport.sendMail({
      from: '"Dr. Ada Byron" <ada@practice.example>',
      to: ['client@example.com', 'Second Person <second@example.com>'],
      bcc: 'audit@practice.example',
      subject: 'Your session on Tuesday — café at 10:00',
      text: 'Hello,\nyour session is confirmed. A long line that is long enough to be soft-wrapped by quoted-printable encoding: ' +
        'x'.repeat(120),
      html: '<p>Hello, your session is confirmed.</p>',
    });
    transport.close();

    const [mail] = catcher.messages();
    expect(catcher.messages()).toHaveLength(1);
    expect(mail.from).toBe('"Dr. Ada Byron" <ada@practice.example>');
    expect(mail.to).toEqual(['client@example.com', 'Second Person <second@example.com>']);
    expect(mail.subject).toBe('Your session on Tuesday — café at 10:00');
    expect(mail.text).toBe(
      'Hello,\nyour session is confirmed. A long line that is long enough to be soft-wrapped by quoted-printable encoding: ' +
        'x'.repeat(120),
    );
    expect(mail.html).toBe('<p>Hello, your session is confirmed.</p>');
    expect(mail.envelope).toEqual({
      from: 'ada@practice.example',
      to: ['client@example.com', 'second@example.com', 'audit@practice.example'],
    });
    expect(received).toContain('Your session on Tuesday — café at 10:00');
  });

  it('accepts authenticated senders and forgets messages on reset', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: catcher.port,
      secure: false,
      auth: { user: 'app', pass: 'secret' },
    });
    await expect(
      transport.sendMail({ from: 'noreply@practice.example', to: 'a@example.com', subject: 'Plain', text: 'Only text' }),
    ).resolves.toMatchObject({ accepted: ['a@example.com'] });
    transport.close();
    expect(catcher.messages()[0]).toMatchObject({ subject: 'Plain', text: 'Only text', to: ['a@example.com'] });
    catcher.reset();
    expect(catcher.messages()).toEqual([]);
  });
});

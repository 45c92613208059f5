import { createTransport } from 'nodemailer';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { escapeHtml, renderPage } from '../../sandbox/page/index.js';

describe(startSandbox.name, () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, settings: { accessTokenTtlSeconds: 300 } });
  });
  afterAll(() => sandbox.stop());

  it('runs the emulators, the SMTP catcher and the page, and describes them as the app env', async () => {
    expect(sandbox.urls.google).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.urls.stripe).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.urls.microsoft).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const env = sandbox.env();
    expect(env).toMatchObject({
      GOOGLE_API_BASE_URL: sandbox.urls.google,
      GOOGLE_CLIENT_ID: 'sandbox-google-client-id',
      STRIPE_API_BASE_URL: sandbox.urls.stripe,
      STRIPE_SECRET_KEY: 'sk_test_sandbox',
      MICROSOFT_API_BASE_URL: sandbox.urls.microsoft,
      OUTLOOK_CLIENT_ID: 'sandbox-outlook-client-id',
      SMTP_URL: sandbox.smtpUrl,
    });
    expect(env).toMatchObject({ ZOOM_API_BASE_URL: sandbox.urls.zoom, ZOOM_ACCOUNT_ID: 'sandbox-zoom-account' });
    await expect(sandbox.control('google').settings()).resolves.toMatchObject({ accessTokenTtlSeconds: 300 });
    for (const url of Object.values(sandbox.urls)) {
      await expect(fetch(`${url}/__sandbox/stats`).then((response) => response.status)).resolves.toBe(200);
    }
  });

  it('lists requests, events and emails on the read-only page, escaped', async () => {
    await sandbox.reset();
    await fetch(`${sandbox.urls.google}/calendar/v3/calendars/primary/events?<script>alert(1)</script>`);
    const mailer = createTransport(sandbox.smtpUrl!);
    await mailer.sendMail({ from: 'noreply@example.com', to: 'client@example.com', subject: 'Reminder <b>tomorrow</b>', text: 'See you' });
    sandbox.emulators.google!.context.recordActivity({ kind: 'event', summary: 'event created: "<img src=x>"' });

    const response = await fetch(sandbox.pageUrl!);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain('/calendar/v3/calendars/primary/events');
    expect(html).toContain('Reminder &#60;b&#62;tomorrow&#60;/b&#62;');
    expect(html).toContain('event created: &#34;&#60;img src=x&#62;&#34;');
    expect(html).not.toMatch(/<(script|img|b)\b/);
    expect(html).not.toMatch(/(src|href)="https?:/);

    const state = (await (await fetch(`${sandbox.pageUrl}/state.json`)).json()) as { emails: unknown[] };
    expect(state.emails[0]).toMatchObject({ to: ['client@example.com'], subject: 'Reminder <b>tomorrow</b>' });
    await expect(fetch(sandbox.pageUrl!, { method: 'POST' }).then((r) => r.status)).resolves.toBe(405);
  });

  it('reaches the provider-specific controls through the typed client', async () => {
    await expect(sandbox.control('stripe').stripe.addWebhookEndpoint('http://127.0.0.1:9/hook', 'whsec_test')).resolves.toBeDefined();
    await expect(sandbox.control('microsoft').microsoft.upsertAccount({ email: 'someone@outlook.com', personal: true })).resolves.toMatchObject({
      personal: true,
    });
    await expect(sandbox.control('zoom').zoom.setWebhook('http://127.0.0.1:9/zoom', 'secret')).resolves.toMatchObject({
      webhook: { url: 'http://127.0.0.1:9/zoom' },
    });
    await expect(sandbox.control('google').google.events()).resolves.toEqual({ events: [] });
  });

  it('escapes every HTML-significant character', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
    expect(renderPage({ emulators: [], requests: [], activities: [], emails: [] })).toContain('nothing yet');
  });
});

import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { launchBrowser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('pages in a real browser (e2e)', () => {
  let browser: Browser;
  let t: TestApp;
  let sandbox: Sandbox;

  beforeAll(async () => {
    [browser, t, sandbox] = await Promise.all([launchBrowser(), startTestApp(), startSandbox({ providers: ['stripe'], smtp: false })]);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
    await t?.close();
  });

  it('renders Swagger UI with the API operations and the Authorize button', async () => {
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/api/docs`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
    const paths = await page.$$eval('.opblock-summary-path', (nodes) => nodes.map((node) => node.textContent?.trim()));
    expect(paths).toEqual(expect.arrayContaining(['/api/auth/login', '/api/sessions', '/api/sessions/{id}']));
    expect(await page.isVisible('button.authorize')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the requests an emulator received on the sandbox inspection page, escaped', async () => {
    await fetch(`${sandbox.urls.stripe}/v1/customers/%3Cscript%3Ealert(1)%3C%2Fscript%3E`, {
      headers: { authorization: 'Bearer sk_test_sandbox' },
    });
    const page = await browser.newPage();
    let alerted = false;
    page.on('dialog', async (dialog) => {
      alerted = true;
      await dialog.dismiss();
    });
    await page.goto(sandbox.pageUrl!);
    const text = await page.textContent('body');
    expect(text).toContain('/v1/customers/');
    expect(text).toContain('stripe');
    expect(alerted).toBe(false);
    await page.close();
  });
});

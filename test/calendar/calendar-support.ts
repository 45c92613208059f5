import type { TestApp } from '../support/test-app.js';
import { consent } from '../connections/consent.js';

import { auth } from '../support/test-app.js';
export { auth };

/** Connects a user's Google or Outlook calendar over the API, as the web client would. */
export async function connectOAuth(t: TestApp, token: string, provider: 'google' | 'outlook', loginHint: string) {
  const started = await t.http.get(`/api/integrations/calendar/${provider}/authorize-url`).set(auth(token)).expect(200);
  const { code, state } = await consent(started.body.data.url, loginHint);
  return t.http.post(`/api/integrations/calendar/${provider}/connect`).set(auth(token)).send({ authCode: code, state });
}

import { eventually } from '../support/eventually.js';
export { eventually };

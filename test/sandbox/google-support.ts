/** Shared set-up for the Google emulator suites: the real google-auth-library and @googleapis/calendar clients. */
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { startEmulator, type EmulatorHarness } from '../../sandbox/core/server.js';
import { createGoogleEmulator, GOOGLE_SANDBOX_CLIENT } from '../../sandbox/google/index.js';

export const REDIRECT_URI = 'http://127.0.0.1:9/oauth/callback';
export const CALENDAR_SCOPES = ['openid', 'email', 'https://www.googleapis.com/auth/calendar.events'];

export async function startGoogle(settings: { accessTokenTtlSeconds?: number } = {}): Promise<EmulatorHarness> {
  return startEmulator(createGoogleEmulator(), { settings });
}

export function oauthClient(baseUrl: string, clientSecret = GOOGLE_SANDBOX_CLIENT.clientSecret): OAuth2Client {
  return new OAuth2Client({
    clientId: GOOGLE_SANDBOX_CLIENT.clientId,
    clientSecret,
    redirectUri: REDIRECT_URI,
    endpoints: {
      oauth2TokenUrl: `${baseUrl}/token`,
      oauth2AuthBaseUrl: `${baseUrl}/o/oauth2/v2/auth`,
      oauth2RevokeUrl: `${baseUrl}/revoke`,
      tokenInfoUrl: `${baseUrl}/tokeninfo`,
      oauth2FederatedSignonJwkCertsUrl: `${baseUrl}/oauth2/v3/certs`,
      oauth2FederatedSignonPemCertsUrl: `${baseUrl}/oauth2/v1/certs`,
    },
  });
}

/** follows the authorize redirect the way a browser would, answering the code and state it carries */
export async function authorize(client: OAuth2Client, options: { loginHint?: string; state?: string } = {}) {
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const url = client.generateAuthUrl({
    access_type: 'offline',
    scope: CALENDAR_SCOPES,
    state: options.state ?? 'state-123',
    login_hint: options.loginHint,
    code_challenge_method: CodeChallengeMethod.S256,
    code_challenge: codeChallenge,
  });
  const response = await fetch(url, { redirect: 'manual' });
  const location = new URL(response.headers.get('location') ?? 'http://invalid/');
  return {
    status: response.status,
    location,
    code: location.searchParams.get('code') ?? '',
    state: location.searchParams.get('state'),
    codeVerifier,
  };
}

/** an authorised OAuth2Client and Calendar client for the default (or hinted) sandbox user */
export async function connect(baseUrl: string, loginHint?: string) {
  const auth = oauthClient(baseUrl);
  const { code, codeVerifier } = await authorize(auth, { loginHint });
  const { tokens } = await auth.getToken({ code, codeVerifier });
  auth.setCredentials(tokens);
  const api: calendar_v3.Calendar = calendar({ version: 'v3', auth, rootUrl: `${baseUrl}/` });
  return { auth, api, tokens };
}

/** a deterministic base32hex id, as the service derives event ids from its session ids */
export function eventId(seed: string): string {
  return Buffer.from(seed).toString('hex').replace(/[^a-v0-9]/g, '0').padEnd(8, '0');
}

import { OAuthError } from '../connections-errors.js';

export interface AuthorizeRequest {
  state: string;
  codeChallenge: string;
  scopes: string[];
}

export interface TokenSet {
  accessToken: string;
  /** absent when the provider keeps the old one (Google never rotates; Microsoft and Zoom do) */
  refreshToken?: string;
  expiresAt: Date | null;
  scopes: string[];
}

/**
 * One provider family's OAuth 2.0 endpoints (Google, Microsoft identity, Zoom). Implementations read their URLs
 * from config (the sandbox emulator when `apiBaseUrl` is set) and throw OAuthError with the provider's reason.
 */
export abstract class OAuthClient {
  /** whether client credentials are configured (otherwise PROVIDER_NOT_CONFIGURED) */
  abstract readonly configured: boolean;

  abstract authorizeUrl(request: AuthorizeRequest): string;

  abstract exchange(code: string, codeVerifier: string | undefined): Promise<TokenSet>;

  abstract refresh(refreshToken: string): Promise<TokenSet>;

  /** Best effort at the provider; Microsoft has no revocation endpoint for a single grant. */
  abstract revoke(token: string): Promise<void>;

  abstract accountEmail(accessToken: string): Promise<string | null>;
}

/** Classifies a token endpoint's JSON error the way RFC 6749 section 5.2 defines it. */
export function oauthErrorFrom(status: number, body: unknown, retryAfter?: string | null): OAuthError {
  const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const code = typeof record.error === 'string' ? record.error : typeof record.reason === 'string' ? record.reason : `http_${status}`;
  const description =
    typeof record.error_description === 'string'
      ? record.error_description
      : typeof record.reason === 'string' && typeof record.error === 'string'
        ? record.reason
        : typeof record.message === 'string'
          ? record.message
          : `HTTP ${status}`;
  if (status === 429) return new OAuthError('rate_limited', code, description, retryAfter);
  if (status >= 500) return new OAuthError('temporary', code, description, retryAfter);
  if (code === 'invalid_grant') return new OAuthError('invalid_grant', code, description);
  return new OAuthError('rejected', code, description);
}

/** POSTs a form to a token endpoint; network failures are temporary. */
export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new OAuthError('temporary', 'network_error', 'The token endpoint could not be reached', null, error);
  }
  const text = await response.text();
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { error: `http_${response.status}`, error_description: text.slice(0, 200) };
  }
  if (!response.ok) throw oauthErrorFrom(response.status, body, response.headers.get('retry-after'));
  return body as Record<string, unknown>;
}

export function tokenSetFrom(body: Record<string, unknown>, requestedScopes: string[], now = Date.now()): TokenSet {
  if (typeof body.access_token !== 'string') throw new OAuthError('rejected', 'invalid_response', 'The token endpoint returned no access_token');
  const expiresIn = Number(body.expires_in);
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(now + expiresIn * 1000) : null,
    scopes: typeof body.scope === 'string' ? body.scope.split(/[\s,]+/).filter(Boolean) : requestedScopes,
  };
}

export async function getJson(url: string, accessToken: string): Promise<Record<string, unknown> | null> {
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
    if (!response.ok) return null;
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return null;
  }
}

import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import type { AppConfig } from '../../config/app-config.js';
import { OAuthError } from '../connections-errors.js';
import { type AuthorizeRequest, getJson, OAuthClient, oauthErrorFrom, type TokenSet } from './oauth-client.js';

/** Google's real hosts, or the emulator serving all of their paths under one origin. */
export function googleEndpoints(config: AppConfig) {
  const base = config.google.apiBaseUrl?.replace(/\/$/, '');
  return {
    oauth2AuthBaseUrl: base ? `${base}/o/oauth2/v2/auth` : 'https://accounts.google.com/o/oauth2/v2/auth',
    oauth2TokenUrl: base ? `${base}/token` : 'https://oauth2.googleapis.com/token',
    oauth2RevokeUrl: base ? `${base}/revoke` : 'https://oauth2.googleapis.com/revoke',
    tokenInfoUrl: base ? `${base}/tokeninfo` : 'https://oauth2.googleapis.com/tokeninfo',
    userInfoUrl: base ? `${base}/oauth2/v3/userinfo` : 'https://openidconnect.googleapis.com/v1/userinfo',
    /** rootUrl for @googleapis/calendar */
    apiRootUrl: base ? `${base}/` : 'https://www.googleapis.com/',
  };
}

/** Google OAuth through google-auth-library, the same client the Calendar SDK uses. */
export class GoogleOAuthClient extends OAuthClient {
  readonly configured: boolean;
  private readonly endpoints: ReturnType<typeof googleEndpoints>;

  constructor(private readonly config: AppConfig) {
    super();
    this.configured = Boolean(config.google.clientId && config.google.clientSecret);
    this.endpoints = googleEndpoints(config);
  }

  /** A fresh client per use: OAuth2Client caches credentials, and tokens belong to different users. */
  client(): OAuth2Client {
    return new OAuth2Client({
      clientId: this.config.google.clientId,
      clientSecret: this.config.google.clientSecret,
      redirectUri: this.config.google.redirectUri,
      endpoints: {
        oauth2AuthBaseUrl: this.endpoints.oauth2AuthBaseUrl,
        oauth2TokenUrl: this.endpoints.oauth2TokenUrl,
        oauth2RevokeUrl: this.endpoints.oauth2RevokeUrl,
        tokenInfoUrl: this.endpoints.tokenInfoUrl,
      },
    });
  }

  authorizeUrl(request: AuthorizeRequest): string {
    return this.client().generateAuthUrl({
      access_type: 'offline',
      // consent: Google returns a refresh token only on the first consent otherwise
      prompt: 'consent',
      include_granted_scopes: true,
      scope: request.scopes,
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
    });
  }

  async exchange(code: string, codeVerifier: string | undefined): Promise<TokenSet> {
    try {
      const { tokens } = await this.client().getToken({ code, codeVerifier });
      return this.toTokenSet(tokens);
    } catch (error) {
      throw toOAuthError(error);
    }
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    const client = this.client();
    client.setCredentials({ refresh_token: refreshToken });
    try {
      const { credentials } = await client.refreshAccessToken();
      return this.toTokenSet(credentials);
    } catch (error) {
      throw toOAuthError(error);
    }
  }

  async revoke(token: string): Promise<void> {
    try {
      await this.client().revokeToken(token);
    } catch (error) {
      const failure = toOAuthError(error);
      // Already revoked or expired at Google: the goal of revoking is reached.
      if (failure.kind !== 'rejected' && failure.kind !== 'invalid_grant') throw failure;
    }
  }

  async accountEmail(accessToken: string): Promise<string | null> {
    const info = await getJson(this.endpoints.userInfoUrl, accessToken);
    return typeof info?.email === 'string' ? info.email : null;
  }

  private toTokenSet(tokens: { access_token?: string | null; refresh_token?: string | null; expiry_date?: number | null; scope?: string }): TokenSet {
    if (!tokens.access_token) throw new OAuthError('rejected', 'invalid_response', 'Google returned no access token');
    return {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? undefined,
      expiresAt: tokens.expiry_date ? new Date(tokens.expiry_date) : null,
      scopes: tokens.scope ? tokens.scope.split(' ') : [],
    };
  }
}

function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  const response = (error as { response?: { status?: number; data?: unknown; headers?: Record<string, string> | Headers } }).response;
  if (!response?.status) return new OAuthError('temporary', 'network_error', 'Google could not be reached', null, error);
  const headers = response.headers;
  const retryAfter = headers instanceof Headers ? headers.get('retry-after') : headers?.['retry-after'];
  return oauthErrorFrom(response.status, response.data, retryAfter);
}

import type { AppConfig, OAuthClientConfig } from '../../config/app-config.js';
import { type AuthorizeRequest, getJson, OAuthClient, postForm, type TokenSet, tokenSetFrom } from './oauth-client.js';

/** login.microsoftonline.com and graph.microsoft.com, or the emulator serving both under one origin. */
export function microsoftEndpoints(config: AppConfig) {
  const base = config.microsoft.apiBaseUrl?.replace(/\/$/, '');
  const login = base ?? 'https://login.microsoftonline.com';
  const tenant = encodeURIComponent(config.microsoft.tenantId);
  return {
    authorize: `${login}/${tenant}/oauth2/v2.0/authorize`,
    token: `${login}/${tenant}/oauth2/v2.0/token`,
    graph: `${base ?? 'https://graph.microsoft.com'}/v1.0`,
  };
}

/**
 * Microsoft identity platform v2.0 over fetch. Used with the Outlook app registration (calendar) and the Microsoft
 * one (Teams). Refresh tokens rotate: always store the new one.
 */
export class MicrosoftOAuthClient extends OAuthClient {
  readonly configured: boolean;
  private readonly endpoints: ReturnType<typeof microsoftEndpoints>;

  constructor(
    config: AppConfig,
    private readonly app: OAuthClientConfig,
  ) {
    super();
    this.configured = Boolean(app.clientId && app.clientSecret);
    this.endpoints = microsoftEndpoints(config);
  }

  authorizeUrl(request: AuthorizeRequest): string {
    const url = new URL(this.endpoints.authorize);
    url.search = new URLSearchParams({
      client_id: this.app.clientId ?? '',
      response_type: 'code',
      redirect_uri: this.app.redirectUri,
      response_mode: 'query',
      scope: request.scopes.join(' '),
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  async exchange(code: string, codeVerifier: string | undefined): Promise<TokenSet> {
    const body = await postForm(this.endpoints.token, {
      client_id: this.app.clientId ?? '',
      client_secret: this.app.clientSecret ?? '',
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.app.redirectUri,
      ...(codeVerifier ? { code_verifier: codeVerifier } : {}),
    });
    return tokenSetFrom(body, []);
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    const body = await postForm(this.endpoints.token, {
      client_id: this.app.clientId ?? '',
      client_secret: this.app.clientSecret ?? '',
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    return tokenSetFrom(body, []);
  }

  async revoke(): Promise<void> {
    // The identity platform cannot revoke one refresh token; deleting ours ends our access (the user can also
    // remove the app at myapps.microsoft.com). revokeSignInSessions would sign the user out everywhere: too much.
  }

  async accountEmail(accessToken: string): Promise<string | null> {
    const me = await getJson(`${this.endpoints.graph}/me?$select=mail,userPrincipalName`, accessToken);
    const email = me?.mail ?? me?.userPrincipalName;
    return typeof email === 'string' ? email : null;
  }
}

import type { AppConfig } from '../../config/app-config.js';
import { type AuthorizeRequest, getJson, OAuthClient, postForm, type TokenSet, tokenSetFrom } from './oauth-client.js';

/** zoom.us (OAuth) and api.zoom.us (REST), or the emulator serving both under one origin. */
export function zoomEndpoints(config: AppConfig) {
  const base = config.zoom.apiBaseUrl?.replace(/\/$/, '');
  return {
    authorize: `${base ?? 'https://zoom.us'}/oauth/authorize`,
    token: `${base ?? 'https://zoom.us'}/oauth/token`,
    revoke: `${base ?? 'https://zoom.us'}/oauth/revoke`,
    api: `${base ?? 'https://api.zoom.us'}/v2`,
  };
}

/** Zoom user-level OAuth over fetch; client authentication by HTTP Basic; refresh tokens rotate. */
export class ZoomOAuthClient extends OAuthClient {
  readonly configured: boolean;
  private readonly endpoints: ReturnType<typeof zoomEndpoints>;

  constructor(private readonly config: AppConfig) {
    super();
    this.configured = Boolean(config.zoom.clientId && config.zoom.clientSecret);
    this.endpoints = zoomEndpoints(config);
  }

  private basic(): Record<string, string> {
    const pair = `${this.config.zoom.clientId ?? ''}:${this.config.zoom.clientSecret ?? ''}`;
    return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
  }

  authorizeUrl(request: AuthorizeRequest): string {
    const url = new URL(this.endpoints.authorize);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.config.zoom.clientId ?? '',
      redirect_uri: this.config.zoom.redirectUri,
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  async exchange(code: string, codeVerifier: string | undefined): Promise<TokenSet> {
    const body = await postForm(
      this.endpoints.token,
      { grant_type: 'authorization_code', code, redirect_uri: this.config.zoom.redirectUri, ...(codeVerifier ? { code_verifier: codeVerifier } : {}) },
      this.basic(),
    );
    return tokenSetFrom(body, []);
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    const body = await postForm(this.endpoints.token, { grant_type: 'refresh_token', refresh_token: refreshToken }, this.basic());
    return tokenSetFrom(body, []);
  }

  async revoke(token: string): Promise<void> {
    await postForm(this.endpoints.revoke, { token }, this.basic());
  }

  async accountEmail(accessToken: string): Promise<string | null> {
    const me = await getJson(`${this.endpoints.api}/users/me`, accessToken);
    return typeof me?.email === 'string' ? me.email : null;
  }
}

import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import { VideoProviderError, VideoProviderName } from '../../video-errors.js';
import { parseZoomError, zoomNetworkError } from './zoom-errors.js';
import { zoomUrls } from './zoom-urls.js';

/**
 * Server-to-Server OAuth (account_credentials): one token for the practice's Zoom account, valid an hour and never
 * refreshed, so it is cached in memory and fetched again shortly before it expires or when Zoom rejects it.
 */
@Injectable()
export class ZoomAccountToken {
  private cached?: { token: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(private readonly config: AppConfig) {}

  get configured(): boolean {
    const { accountId, clientId, clientSecret } = this.config.zoom;
    return Boolean(accountId && clientId && clientSecret);
  }

  async get(): Promise<string> {
    if (this.cached && this.cached.expiresAt > Date.now()) return this.cached.token;
    // one token request at a time per process, however many calls want a token
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const { accountId, clientId, clientSecret } = this.config.zoom;
    let response: Response;
    try {
      // Zoom's docs put the grant in the query string; it takes the standard form body too, which is what we send
      response = await fetch(zoomUrls(this.config).token, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'account_credentials', account_id: accountId ?? '' }).toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw zoomNetworkError(error);
    }
    if (!response.ok) {
      const failure = await parseZoomError(response);
      // a refused account grant is a configuration problem of the practice, not the therapist's
      throw response.status === 400 || response.status === 401
        ? new VideoProviderError(VideoProviderName.Zoom, 'AUTH_REVOKED', 'Zoom refused the practice account credentials', {
            providerStatus: response.status,
          })
        : failure;
    }
    const body = (await response.json()) as { access_token: string; expires_in?: number };
    this.cached = { token: body.access_token, expiresAt: Date.now() + Math.max(60, (body.expires_in ?? 3600) - 120) * 1000 };
    return body.access_token;
  }
}

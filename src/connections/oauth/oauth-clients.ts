import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { ConnectionPurpose, ConnectionProvider } from '../connection.entity.js';
import { GoogleOAuthClient } from './google-oauth-client.js';
import { MicrosoftOAuthClient } from './microsoft-oauth-client.js';
import type { OAuthClient } from './oauth-client.js';
import { ZoomOAuthClient } from './zoom-oauth-client.js';

const GRAPH_BASE_SCOPES = ['openid', 'email', 'offline_access', 'User.Read'];

/** Scopes asked for by default, per provider and purpose (a caller may ask for others). */
export const DEFAULT_SCOPES: Partial<Record<ConnectionProvider, Partial<Record<ConnectionPurpose, string[]>>>> = {
  google: { calendar: ['openid', 'email', 'https://www.googleapis.com/auth/calendar.events'] },
  outlook: {
    calendar: [...GRAPH_BASE_SCOPES, 'Calendars.ReadWrite'],
    video: [...GRAPH_BASE_SCOPES, 'Calendars.ReadWrite', 'OnlineMeetings.ReadWrite'],
  },
  teams: { video: [...GRAPH_BASE_SCOPES, 'Calendars.ReadWrite', 'OnlineMeetings.ReadWrite', 'OnlineMeetingArtifact.Read.All'] },
  zoom: { video: ['meeting:write', 'meeting:read', 'user:read', 'recording:read'] },
};

/** The OAuth client of each OAuth provider key; `apple` (CalDAV) has none. */
@Injectable()
export class OAuthClients {
  private readonly clients: Partial<Record<ConnectionProvider, OAuthClient>>;

  constructor(config: AppConfig) {
    this.clients = {
      google: new GoogleOAuthClient(config),
      outlook: new MicrosoftOAuthClient(config, config.outlook),
      teams: new MicrosoftOAuthClient(config, config.microsoft),
      zoom: new ZoomOAuthClient(config),
    };
  }

  for(provider: ConnectionProvider): OAuthClient | undefined {
    return this.clients[provider];
  }
}

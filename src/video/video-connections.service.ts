import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { ConnectionsService, type ConnectionView } from '../connections/connections.service.js';
import { hasOnlineMeetingScope } from './connected-hosts.js';
import { providerNotSupported, VideoProviderName } from './video-errors.js';

export interface VideoIntegration {
  provider: string;
  accountEmail: string | null;
  status: string;
  statusReason: string | null;
  connectedAt: Date;
  lastUpdated: Date;
}

function providerKey(name: string): 'zoom' | 'teams' {
  if (name === VideoProviderName.Zoom || name === VideoProviderName.Teams) return name;
  throw providerNotSupported(name);
}

const view = (connection: ConnectionView, provider: string = connection.provider): VideoIntegration => ({
  provider,
  accountEmail: connection.accountEmail,
  status: connection.status,
  statusReason: connection.statusReason,
  connectedAt: connection.connectedAt,
  lastUpdated: connection.lastUpdated,
});

/** The host's own Zoom / Microsoft accounts, through the shared connections store. */
@Injectable()
export class VideoConnectionsService {
  constructor(private readonly connections: ConnectionsService) {}

  async authorizeUrl(user: AuthUser, provider: string): Promise<{ url: string; state: string; expiresAt: Date }> {
    return this.connections.authorizeUrl(user, providerKey(provider), 'video');
  }

  async connect(user: AuthUser, provider: string, input: { authCode?: string; state?: string }): Promise<{ provider: string; connectedAt: Date }> {
    const connection = await this.connections.connect(user, providerKey(provider), input, { purpose: 'video' });
    return { provider, connectedAt: connection.connectedAt };
  }

  /** Video connections, plus the Outlook calendar connection when it can host Teams meetings. */
  async list(user: AuthUser): Promise<{ integrations: VideoIntegration[] }> {
    const all = await this.connections.list(user);
    const integrations = all.flatMap((connection) => {
      if (connection.purpose === 'video') return [view(connection)];
      if (connection.provider === 'outlook' && hasOnlineMeetingScope(connection)) return [view(connection, 'teams')];
      return [];
    });
    return { integrations };
  }

  async disconnect(user: AuthUser, provider: string): Promise<{ provider: string }> {
    await this.connections.disconnect(user, providerKey(provider));
    return { provider };
  }
}

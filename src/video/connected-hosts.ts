import { Injectable } from '@nestjs/common';
import { ConnectionsService, type ConnectionView } from '../connections/connections.service.js';
import { HostConnections } from './host-connections.js';

/** Graph scope without which a Microsoft connection cannot create Teams meetings. */
export const ONLINE_MEETINGS_SCOPE = 'onlinemeetings.readwrite';

export function hasOnlineMeetingScope(connection: Pick<ConnectionView, 'scopes'>): boolean {
  return connection.scopes.some((scope) => scope.toLowerCase().split('/').at(-1) === ONLINE_MEETINGS_SCOPE);
}

/** HostConnections over the shared connections store (src/connections): refresh and locking are done there. */
@Injectable()
export class ConnectedHosts extends HostConnections {
  constructor(private readonly connections: ConnectionsService) {
    super();
  }

  async zoomAccessToken(userId: string): Promise<string | null> {
    const connection = await this.connections.find(userId, 'zoom');
    if (!connection) return null;
    return this.connections.withAccessToken(connection.id, async (token) => token);
  }

  /** A 'teams' video connection, or the Outlook calendar connection when it was granted the online-meeting scope. */
  async microsoftAccessToken(userId: string): Promise<{ accessToken: string; accountEmail: string | null } | null> {
    for (const provider of ['teams', 'outlook'] as const) {
      const connection = await this.connections.find(userId, provider);
      if (!connection || !hasOnlineMeetingScope(connection)) continue;
      const accessToken = await this.connections.withAccessToken(connection.id, async (token) => token);
      return { accessToken, accountEmail: connection.accountEmail };
    }
    return null;
  }
}

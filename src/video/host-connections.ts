/**
 * What the video providers need from the shared OAuth connections (src/connections): a fresh access token of the
 * host's own provider account, or null when the host has none. The implementation adapts ConnectionsService.
 */
export abstract class HostConnections {
  /** the host's own Zoom account (user OAuth); null: not connected */
  abstract zoomAccessToken(userId: string): Promise<string | null>;

  /** the host's Microsoft work account with the online-meeting scopes; null: not connected */
  abstract microsoftAccessToken(userId: string): Promise<{ accessToken: string; accountEmail: string | null } | null>;
}

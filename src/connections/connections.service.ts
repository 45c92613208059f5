/**
 * ConnectionsService: the one OAuth (and credential) connection store shared by calendar and video.
 *
 * Import ConnectionsModule and inject ConnectionsService. Provider keys: 'google' | 'outlook' | 'apple' | 'zoom' |
 * 'teams'; purpose: 'calendar' | 'video'. One connection per (user, provider).
 *
 *   authorizeUrl(user, provider, purpose, { scopes? })          -> { url, state, expiresAt }
 *       state (10 min, single use, bound to user + provider) and a PKCE S256 challenge; offline access.
 *   connect(user, provider, { authCode?, state? }, { purpose, failureCode? }) -> ConnectionView
 *       MISSING_AUTH_CODE (400) without a code; INVALID_OAUTH_STATE (400) for an unknown/expired/used/foreign
 *       state (nothing sent to the provider); provider refusal -> `failureCode` (default by purpose:
 *       CALENDAR_CONNECTION_ERROR, VIDEO_CONNECTION_ERROR, 502) with the provider's reason in the message.
 *       PROVIDER_NOT_CONFIGURED (503) when the client id/secret are missing; PROVIDER_NOT_SUPPORTED (400) for apple.
 *   saveCredentials(user, provider, purpose, { accountEmail, secret, metadata? }) -> ConnectionView   (CalDAV)
 *   list(user, purpose?) -> ConnectionView[]        never tokens; status active | needs_reauth | error + reason
 *   find(userId, provider) -> ConnectionView | null
 *   disconnect(user, provider) -> ConnectionView    revokes at the provider (best effort), deletes the row + secrets;
 *                                                   CONNECTION_NOT_FOUND (404) when there is none
 *   withAccessToken(ref, fn)                        ref = connectionId | { userId, provider };
 *       fn(accessToken, connection) runs with a valid token. A token within 2 minutes of expiry is refreshed first,
 *       once across all instances (pg advisory lock per connection, re-read after the lock: Microsoft and Zoom
 *       rotate refresh tokens). invalid_grant marks the connection needs_reauth with the provider's reason and
 *       throws ConnectionReauthRequiredError (extends PermanentJobError: a job throwing it fails for good;
 *       `.toAppException()` gives 409 CONNECTION_NEEDS_REAUTH for HTTP). A 429 from the token endpoint throws
 *       RetryAfterError. A connection already needs_reauth throws at once, without calling the provider.
 *   withCredentials(ref, fn)                        fn(secret object, connection) for credential connections.
 *   recordSuccess(id) / markError(id, reason) / markNeedsReauth(id, reason): keep status and last sync visible.
 *
 * Every token endpoint call writes integration_logs (action oauth.exchange | oauth.refresh | oauth.revoke).
 */
import { createHash, randomBytes } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { IntegrationLogService } from '../audit/integration-log.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { AppException } from '../common/app-exception.js';
import { RetryAfterError } from '../jobs/index.js';
import {
  Connection,
  CONNECTION_PROVIDERS,
  type ConnectionPurpose,
  type ConnectionProvider,
  type ConnectionStatus,
} from './connection.entity.js';
import { connectionNotFound, ConnectionReauthRequiredError, invalidOAuthState, OAuthError } from './connections-errors.js';
import type { OAuthClient, TokenSet } from './oauth/oauth-client.js';
import { DEFAULT_SCOPES, OAuthClients } from './oauth/oauth-clients.js';
import { OAuthState } from './oauth-state.entity.js';
import { SecretBox } from './secret-box.js';

/** What callers and API responses see of a connection: never tokens or secrets. */
export interface ConnectionView {
  id: string;
  userId: string;
  provider: ConnectionProvider;
  purpose: ConnectionPurpose;
  accountEmail: string | null;
  scopes: string[];
  status: ConnectionStatus;
  statusReason: string | null;
  metadata: Record<string, unknown>;
  expiresAt: Date | null;
  connectedAt: Date;
  lastUpdated: Date;
  lastSyncedAt: Date | null;
}

export type ConnectionRef = string | { userId: string; provider: ConnectionProvider };

const STATE_TTL_MS = 10 * 60_000;
const REFRESH_MARGIN_MS = 2 * 60_000;
const FAILURE_CODES: Record<ConnectionPurpose, string> = { calendar: 'CALENDAR_CONNECTION_ERROR', video: 'VIDEO_CONNECTION_ERROR' };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function isConnectionProvider(value: string): value is ConnectionProvider {
  return (CONNECTION_PROVIDERS as readonly string[]).includes(value);
}

@Injectable()
export class ConnectionsService {
  private readonly logger = new Logger(ConnectionsService.name);
  /** one refresh per connection in this process; other instances wait on the advisory lock */
  private readonly refreshing = new Map<string, Promise<Connection>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Connection) private readonly connections: Repository<Connection>,
    @InjectRepository(OAuthState) private readonly states: Repository<OAuthState>,
    private readonly box: SecretBox,
    private readonly clients: OAuthClients,
    private readonly logs: IntegrationLogService,
  ) {}

  async authorizeUrl(
    user: AuthUser,
    provider: ConnectionProvider,
    purpose: ConnectionPurpose,
    options: { scopes?: string[] } = {},
  ): Promise<{ url: string; state: string; expiresAt: Date }> {
    const client = this.oauthClient(provider);
    const scopes = options.scopes ?? DEFAULT_SCOPES[provider]?.[purpose] ?? [];
    const state = randomBytes(24).toString('base64url');
    const verifier = randomBytes(48).toString('base64url');
    const expiresAt = new Date(Date.now() + STATE_TTL_MS);
    await this.states.insert({
      stateHash: sha256(state),
      userId: user.id,
      provider,
      purpose,
      scopes,
      codeVerifierEnc: this.box.encrypt(verifier, `oauth-state:${user.id}`),
      expiresAt,
    });
    const codeChallenge = createHash('sha256').update(verifier).digest('base64url');
    return { url: client.authorizeUrl({ state, codeChallenge, scopes }), state, expiresAt };
  }

  async connect(
    user: AuthUser,
    provider: ConnectionProvider,
    input: { authCode?: string; state?: string },
    options: { purpose: ConnectionPurpose; failureCode?: string },
  ): Promise<ConnectionView> {
    if (!input.authCode) throw new AppException('MISSING_AUTH_CODE', 'Authorization code is required');
    const client = this.oauthClient(provider);
    let verifier: string | undefined;
    let scopes = DEFAULT_SCOPES[provider]?.[options.purpose] ?? [];
    if (input.state !== undefined) {
      const started = await this.consumeState(user, provider, input.state);
      verifier = this.box.decrypt(started.codeVerifierEnc, `oauth-state:${user.id}`);
      scopes = started.scopes;
    }
    const failureCode = options.failureCode ?? FAILURE_CODES[options.purpose];
    let tokens: TokenSet;
    try {
      tokens = await this.logs.track({ userId: user.id, provider, action: 'oauth.exchange' }, () =>
        client.exchange(input.authCode!, verifier),
      );
    } catch (error) {
      const reason = error instanceof OAuthError ? `${error.providerError}: ${error.description}` : 'the provider could not be reached';
      throw new AppException(failureCode, `The provider refused the authorization (${reason})`, {
        status: HttpStatus.BAD_GATEWAY,
        details: { provider },
        cause: error,
      });
    }
    const accountEmail = await client.accountEmail(tokens.accessToken);
    const aad = this.aad(user.id, provider);
    const [row] = (await this.dataSource.query(
      `INSERT INTO connections (user_id, provider, purpose, account_email, scopes, access_token_enc, refresh_token_enc,
                                expires_at, status, status_reason, connected_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', NULL, now())
       ON CONFLICT (user_id, provider) DO UPDATE SET
         purpose = EXCLUDED.purpose, account_email = EXCLUDED.account_email, scopes = EXCLUDED.scopes,
         access_token_enc = EXCLUDED.access_token_enc,
         -- Google sends a refresh token only on first consent: keep the one we have
         refresh_token_enc = COALESCE(EXCLUDED.refresh_token_enc, connections.refresh_token_enc),
         expires_at = EXCLUDED.expires_at, status = 'active', status_reason = NULL, connected_at = now(), updated_at = now()
       RETURNING id`,
      [
        user.id,
        provider,
        options.purpose,
        accountEmail,
        tokens.scopes.length > 0 ? tokens.scopes : scopes,
        this.box.encrypt(tokens.accessToken, aad),
        tokens.refreshToken ? this.box.encrypt(tokens.refreshToken, aad) : null,
        tokens.expiresAt,
      ],
    )) as Array<{ id: string }>;
    return toView(await this.connections.findOneByOrFail({ id: row.id }));
  }

  async saveCredentials(
    user: AuthUser,
    provider: ConnectionProvider,
    purpose: ConnectionPurpose,
    input: { accountEmail: string | null; secret: Record<string, string>; metadata?: Record<string, unknown> },
  ): Promise<ConnectionView> {
    const sealed = this.box.encrypt(JSON.stringify(input.secret), this.aad(user.id, provider));
    const [row] = (await this.dataSource.query(
      `INSERT INTO connections (user_id, provider, purpose, account_email, secret_enc, metadata, status, connected_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'active', now())
       ON CONFLICT (user_id, provider) DO UPDATE SET
         purpose = EXCLUDED.purpose, account_email = EXCLUDED.account_email, secret_enc = EXCLUDED.secret_enc,
         metadata = EXCLUDED.metadata, status = 'active', status_reason = NULL, connected_at = now(), updated_at = now()
       RETURNING id`,
      [user.id, provider, purpose, input.accountEmail, sealed, JSON.stringify(input.metadata ?? {})],
    )) as Array<{ id: string }>;
    return toView(await this.connections.findOneByOrFail({ id: row.id }));
  }

  async list(user: Pick<AuthUser, 'id'>, purpose?: ConnectionPurpose): Promise<ConnectionView[]> {
    const rows = await this.connections.find({
      where: purpose ? { userId: user.id, purpose } : { userId: user.id },
      order: { connectedAt: 'ASC' },
    });
    return rows.map(toView);
  }

  async find(userId: string, provider: ConnectionProvider): Promise<ConnectionView | null> {
    const row = await this.connections.findOneBy({ userId, provider });
    return row ? toView(row) : null;
  }

  async get(ref: ConnectionRef): Promise<ConnectionView> {
    return toView(await this.load(ref));
  }

  async disconnect(user: Pick<AuthUser, 'id'>, provider: ConnectionProvider): Promise<ConnectionView> {
    const row = await this.connections.findOneBy({ userId: user.id, provider });
    if (!row) throw connectionNotFound(provider);
    const client = this.clients.for(provider);
    const token = row.refreshTokenEnc ?? row.accessTokenEnc;
    if (client && token) {
      try {
        await this.logs.track({ userId: user.id, provider, action: 'oauth.revoke' }, () =>
          client.revoke(this.box.decrypt(token, this.aad(row.userId, provider))),
        );
      } catch (error) {
        // Revocation is best effort: the user asked to disconnect, and deleting our tokens ends our access.
        this.logger.warn({ provider, connectionId: row.id, reason: (error as Error).message }, 'token revocation failed');
      }
    }
    await this.connections.delete({ id: row.id });
    return toView(row);
  }

  async withAccessToken<T>(ref: ConnectionRef, fn: (accessToken: string, connection: ConnectionView) => Promise<T>): Promise<T> {
    let row = await this.load(ref);
    if (row.status === 'needs_reauth') throw new ConnectionReauthRequiredError(row.id, row.provider, row.statusReason ?? 'authorization revoked');
    if (isExpiring(row)) row = await this.refreshShared(row.id);
    if (!row.accessTokenEnc) throw new ConnectionReauthRequiredError(row.id, row.provider, 'no access token stored');
    return fn(this.box.decrypt(row.accessTokenEnc, this.aad(row.userId, row.provider)), toView(row));
  }

  async withCredentials<T>(ref: ConnectionRef, fn: (secret: Record<string, string>, connection: ConnectionView) => Promise<T>): Promise<T> {
    const row = await this.load(ref);
    if (row.status === 'needs_reauth') throw new ConnectionReauthRequiredError(row.id, row.provider, row.statusReason ?? 'credentials refused');
    if (!row.secretEnc) throw new ConnectionReauthRequiredError(row.id, row.provider, 'no credentials stored');
    const secret = JSON.parse(this.box.decrypt(row.secretEnc, this.aad(row.userId, row.provider))) as Record<string, string>;
    return fn(secret, toView(row));
  }

  async recordSuccess(id: string): Promise<void> {
    await this.connections.update({ id }, { lastSyncedAt: new Date(), status: 'active', statusReason: null });
  }

  async markError(id: string, reason: string): Promise<void> {
    await this.connections.update({ id }, { status: 'error', statusReason: reason.slice(0, 500) });
  }

  async markNeedsReauth(id: string, reason: string): Promise<void> {
    await this.connections.update({ id }, { status: 'needs_reauth', statusReason: reason.slice(0, 500) });
  }

  // Callers in this process share one refresh: a waiter on the advisory lock holds a pool connection, and many of
  // them could starve the pool the lock holder needs.
  private refreshShared(id: string): Promise<Connection> {
    let pending = this.refreshing.get(id);
    if (!pending) {
      pending = this.refreshOnce(id).finally(() => this.refreshing.delete(id));
      this.refreshing.set(id, pending);
    }
    return pending;
  }

  /**
   * Refreshes under a per-connection advisory lock held on a dedicated connection (not a transaction: the provider
   * call must not run inside one). Whoever waits re-reads the row and finds the token the first one stored.
   */
  private async refreshOnce(id: string): Promise<Connection> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const lockKey = `connection-refresh:${id}`;
    try {
      await runner.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey]);
      try {
        const row = await runner.manager.findOneBy(Connection, { id });
        if (!row) throw connectionNotFound('provider');
        if (row.status === 'needs_reauth') throw new ConnectionReauthRequiredError(row.id, row.provider, row.statusReason ?? 'authorization revoked');
        if (!isExpiring(row)) return row;
        return await this.refresh(row);
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]);
      }
    } finally {
      await runner.release();
    }
  }

  private async refresh(row: Connection): Promise<Connection> {
    const aad = this.aad(row.userId, row.provider);
    const client = this.clients.for(row.provider);
    if (!client || !row.refreshTokenEnc) {
      await this.markNeedsReauth(row.id, 'the provider gave no refresh token; connect again');
      throw new ConnectionReauthRequiredError(row.id, row.provider, 'no refresh token');
    }
    const refreshToken = this.box.decrypt(row.refreshTokenEnc, aad);
    let tokens: TokenSet;
    try {
      tokens = await this.logs.track({ userId: row.userId, provider: row.provider, action: 'oauth.refresh' }, () => client.refresh(refreshToken));
    } catch (error) {
      if (error instanceof OAuthError && error.kind === 'invalid_grant') {
        const reason = `${error.providerError}: ${error.description}`;
        await this.markNeedsReauth(row.id, reason);
        throw new ConnectionReauthRequiredError(row.id, row.provider, reason, error);
      }
      if (error instanceof OAuthError && error.kind === 'rate_limited') throw RetryAfterError.fromHeader(error.retryAfter, error);
      if (error instanceof OAuthError && error.kind === 'rejected') {
        await this.markError(row.id, `${error.providerError}: ${error.description}`);
      }
      throw error;
    }
    row.accessTokenEnc = this.box.encrypt(tokens.accessToken, aad);
    if (tokens.refreshToken) row.refreshTokenEnc = this.box.encrypt(tokens.refreshToken, aad);
    row.expiresAt = tokens.expiresAt;
    await this.connections.update(
      { id: row.id },
      { accessTokenEnc: row.accessTokenEnc, refreshTokenEnc: row.refreshTokenEnc, expiresAt: row.expiresAt },
    );
    return row;
  }

  private async consumeState(user: AuthUser, provider: ConnectionProvider, state: string): Promise<OAuthState> {
    // One atomic UPDATE: two concurrent connects with the same state cannot both succeed; a foreign state is not consumed.
    const result = await this.states
      .createQueryBuilder()
      .update()
      .set({ consumedAt: () => 'now()' })
      .where('state_hash = :hash AND user_id = :user AND provider = :provider AND consumed_at IS NULL AND expires_at > now()', {
        hash: sha256(state),
        user: user.id,
        provider,
      })
      .returning('*')
      .execute();
    const raw = (result.raw as Array<Record<string, unknown>>)[0];
    if (!raw) throw invalidOAuthState();
    return { codeVerifierEnc: raw.code_verifier_enc, scopes: raw.scopes } as OAuthState;
  }

  private oauthClient(provider: ConnectionProvider): OAuthClient {
    const client = this.clients.for(provider);
    if (!client) throw new AppException('PROVIDER_NOT_SUPPORTED', `${provider} does not connect through OAuth`);
    if (!client.configured) throw new AppException('PROVIDER_NOT_CONFIGURED', `${provider} is not configured on this server`);
    return client;
  }

  private async load(ref: ConnectionRef): Promise<Connection> {
    const row =
      typeof ref === 'string'
        ? await this.connections.findOneBy({ id: ref })
        : await this.connections.findOneBy({ userId: ref.userId, provider: ref.provider });
    if (!row) throw connectionNotFound(typeof ref === 'string' ? 'provider' : ref.provider);
    return row;
  }

  /** Binds sealed secrets to their row's owner and provider. */
  private aad(userId: string, provider: ConnectionProvider): string {
    return `connection:${userId}:${provider}`;
  }
}

function isExpiring(row: Connection): boolean {
  return row.expiresAt !== null && row.expiresAt.getTime() - Date.now() < REFRESH_MARGIN_MS;
}

function toView(row: Connection): ConnectionView {
  return {
    id: row.id,
    userId: row.userId,
    provider: row.provider,
    purpose: row.purpose,
    accountEmail: row.accountEmail,
    scopes: row.scopes,
    status: row.status,
    statusReason: row.statusReason,
    metadata: row.metadata,
    expiresAt: row.expiresAt,
    connectedAt: row.connectedAt,
    lastUpdated: row.updatedAt,
    lastSyncedAt: row.lastSyncedAt,
  };
}

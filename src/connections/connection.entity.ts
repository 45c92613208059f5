import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Provider keys of OAuth (or credential) connections. Calendar: google, outlook, apple; video: zoom, teams. */
export const CONNECTION_PROVIDERS = ['google', 'outlook', 'apple', 'zoom', 'teams'] as const;
export type ConnectionProvider = (typeof CONNECTION_PROVIDERS)[number];

export type ConnectionPurpose = 'calendar' | 'video';

/** `needs_reauth`: the provider refused our refresh token (revoked, expired); the owner must connect again. */
export type ConnectionStatus = 'active' | 'needs_reauth' | 'error';

/** One user's account at one provider. Tokens and secrets are sealed by SecretBox with the row id as AAD. */
@Entity('connections')
export class Connection {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'user_id' })
  userId: string;

  @Column('text')
  provider: ConnectionProvider;

  @Column('text')
  purpose: ConnectionPurpose;

  @Column('text', { name: 'account_email', nullable: true })
  accountEmail: string | null;

  @Column('text', { array: true, default: () => "'{}'" })
  scopes: string[];

  @Column('text', { name: 'access_token_enc', nullable: true })
  accessTokenEnc: string | null;

  @Column('text', { name: 'refresh_token_enc', nullable: true })
  refreshTokenEnc: string | null;

  /** credentials that are not OAuth tokens (CalDAV username + app password), sealed JSON */
  @Column('text', { name: 'secret_enc', nullable: true })
  secretEnc: string | null;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @Column('text', { default: 'active' })
  status: ConnectionStatus;

  @Column('text', { name: 'status_reason', nullable: true })
  statusReason: string | null;

  /** non-secret provider facts (e.g. the CalDAV server URL) */
  @Column('jsonb', { default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column('timestamptz', { name: 'last_synced_at', nullable: true })
  lastSyncedAt: Date | null;

  @Column('timestamptz', { name: 'connected_at' })
  connectedAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ConnectionPurpose, ConnectionProvider } from './connection.entity.js';

/** A started authorization: the state we sent (stored as a hash), bound to its user and provider, used once. */
@Entity('oauth_states')
export class OAuthState {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text', { name: 'state_hash' })
  stateHash: string;

  @Column('uuid', { name: 'user_id' })
  userId: string;

  @Column('text')
  provider: ConnectionProvider;

  @Column('text')
  purpose: ConnectionPurpose;

  @Column('text', { array: true })
  scopes: string[];

  @Column('text', { name: 'code_verifier_enc' })
  codeVerifierEnc: string;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;

  @Column('timestamptz', { name: 'consumed_at', nullable: true })
  consumedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum Role {
  Client = 'client',
  Therapist = 'therapist',
  Admin = 'admin',
}

@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** stored as given; uniqueness is case-insensitive (index on lower(email)) */
  @Index('users_email_lower_key', { synchronize: false })
  @Column('text')
  email: string;

  @Column('text')
  name: string;

  @Column('text')
  role: Role;

  /** IANA zone, e.g. Europe/Berlin */
  @Column('text', { name: 'time_zone' })
  timeZone: string;

  /** for clients: the therapist responsible for them */
  @Column('uuid', { name: 'therapist_id', nullable: true })
  therapistId: string | null;

  @Column('text', { name: 'password_hash', select: false })
  passwordHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

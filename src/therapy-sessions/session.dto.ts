import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../common/pagination.js';
import { IsIanaTimeZone, IsInstant } from '../common/validators.js';
import type { AuthUser } from '../auth/auth-user.js';
import { Role } from '../auth/users/user.entity.js';
import { SessionStatus, type TherapySession } from './therapy-session.entity.js';

export class CreateSessionDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  clientId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for admins; a therapist schedules for themself' })
  @IsOptional()
  @IsUUID()
  therapistId?: string;

  @ApiProperty({ example: '2026-12-01T10:00:00Z' })
  @IsInstant()
  startTime: string;

  @ApiProperty({ example: '2026-12-01T10:50:00Z', description: 'After startTime, at most 12 hours later' })
  @IsInstant()
  endTime: string;

  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone the session is held in' })
  @IsIanaTimeZone()
  timezone: string;
}

export class UpdateSessionDto {
  @ApiPropertyOptional({ example: '2026-12-01T11:00:00Z' })
  @IsOptional()
  @IsInstant()
  startTime?: string;

  @ApiPropertyOptional({ example: '2026-12-01T11:50:00Z' })
  @IsOptional()
  @IsInstant()
  endTime?: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin' })
  @IsOptional()
  @IsIanaTimeZone()
  timezone?: string;

  @ApiPropertyOptional({ enum: [SessionStatus.Completed, SessionStatus.Cancelled] })
  @IsOptional()
  @IsIn([SessionStatus.Completed, SessionStatus.Cancelled])
  status?: SessionStatus.Completed | SessionStatus.Cancelled;
}

export class ListSessionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SessionStatus })
  @IsOptional()
  @IsEnum(SessionStatus)
  status?: SessionStatus;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Sessions starting at or after' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31T00:00:00Z', description: 'Sessions starting before' })
  @IsOptional()
  @IsInstant()
  to?: string;
}

export class CalendarDriftDto {
  @ApiProperty({ example: 'google' })
  provider: string;

  @ApiProperty({ format: 'uuid', description: 'Whose calendar the change was seen in' })
  userId: string;

  @ApiProperty({ enum: ['deleted', 'moved'] })
  change: 'deleted' | 'moved';

  @ApiPropertyOptional({ description: 'The new start, when moved' })
  start?: string;

  @ApiPropertyOptional({ description: 'The new end, when moved' })
  end?: string;

  @ApiProperty()
  detectedAt: string;
}

export class SessionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  clientId: string;

  @ApiProperty({ format: 'uuid' })
  therapistId: string;

  @ApiProperty()
  startTime: string;

  @ApiProperty()
  endTime: string;

  @ApiProperty({ example: 'Europe/Berlin' })
  timezone: string;

  @ApiProperty({ enum: SessionStatus })
  status: SessionStatus;

  @ApiProperty({ nullable: true, type: String })
  cancelledAt: string | null;

  @ApiProperty({ enum: ['unpaid', 'pending', 'paid', 'partially_refunded', 'refunded'] })
  paymentStatus: string;

  @ApiProperty({
    type: [CalendarDriftDto],
    description: 'Changes seen in linked external calendars (event deleted or moved there); nothing is changed silently',
  })
  calendarDrift: CalendarDriftDto[];

  @ApiProperty()
  createdAt: string;

  @ApiProperty()
  updatedAt: string;

  /** A client sees drift in their own calendar only; the session's therapist and admins see all of it. */
  static from(session: TherapySession, viewer: AuthUser): SessionDto {
    const drift = Object.values(session.calendarDrift ?? {}).filter(
      (entry) => viewer.role !== Role.Client || entry.userId === viewer.id,
    );
    return {
      id: session.id,
      clientId: session.clientId,
      therapistId: session.therapistId,
      startTime: session.startTime.toISOString(),
      endTime: session.endTime.toISOString(),
      timezone: session.timezone,
      status: session.status,
      cancelledAt: session.cancelledAt?.toISOString() ?? null,
      paymentStatus: session.paymentStatus,
      calendarDrift: drift,
      createdAt: session.createdAt.toISOString(),
      updatedAt: session.updatedAt.toISOString(),
    };
  }
}

export class SessionPageDto {
  @ApiProperty({ type: [SessionDto] })
  items: SessionDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

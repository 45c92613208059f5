import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, Repository } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { canAccess, canManage, canScheduleWith } from '../auth/ownership.js';
import { Role, User } from '../auth/users/user.entity.js';
import { AppException } from '../common/app-exception.js';
import { decodeCursor, encodeCursor, type Page } from '../common/pagination.js';
import { CreateSessionDto, ListSessionsQueryDto, UpdateSessionDto } from './session.dto.js';
import { SessionEvents, type SessionChangedEvent } from './session-events.js';
import { SessionStatus, TherapySession } from './therapy-session.entity.js';

const MAX_SESSION_MS = 12 * 60 * 60 * 1000;

export function assertValidTimeRange(start: Date, end: Date): void {
  if (end.getTime() <= start.getTime()) {
    throw new AppException('VALIDATION_ERROR', 'endTime must be after startTime');
  }
  if (end.getTime() - start.getTime() > MAX_SESSION_MS) {
    throw new AppException('VALIDATION_ERROR', 'A session lasts at most 12 hours');
  }
}

@Injectable()
export class TherapySessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(TherapySession) private readonly sessions: Repository<TherapySession>,
    private readonly events: EventEmitter2,
  ) {}

  async create(actor: AuthUser, input: CreateSessionDto): Promise<TherapySession> {
    const start = new Date(input.startTime);
    const end = new Date(input.endTime);
    assertValidTimeRange(start, end);
    const therapistId = this.therapistFor(actor, input.therapistId);
    return this.dataSource.transaction(async (manager) => {
      const client = await manager.findOneBy(User, { id: input.clientId });
      // Someone else's client, or no client at all, reads the same: no existence leak.
      if (!client || !canScheduleWith(actor, client)) throw new AppException('USER_NOT_FOUND', 'Client not found');
      if (actor.role === Role.Admin) {
        const therapist = await manager.findOneBy(User, { id: therapistId, role: Role.Therapist });
        if (!therapist) throw new AppException('USER_NOT_FOUND', 'Therapist not found');
      }
      const session = await manager.save(
        manager.create(TherapySession, {
          therapistId,
          clientId: client.id,
          startTime: start,
          endTime: end,
          timezone: input.timezone,
          status: SessionStatus.Scheduled,
          createdBy: actor.id,
        }),
      );
      await this.emit(SessionEvents.Created, { session, actor, manager });
      // Re-read: columns other modules maintain (payment status, calendar drift) get their database defaults.
      return manager.findOneByOrFail(TherapySession, { id: session.id });
    });
  }

  async list(viewer: AuthUser, query: ListSessionsQueryDto): Promise<Page<TherapySession>> {
    const limit = query.limit ?? 50;
    const builder = this.sessions.createQueryBuilder('s').orderBy('s.start_time', 'ASC').addOrderBy('s.id', 'ASC');
    if (viewer.role === Role.Therapist) builder.andWhere('s.therapist_id = :me', { me: viewer.id });
    if (viewer.role === Role.Client) builder.andWhere('s.client_id = :me', { me: viewer.id });
    if (query.status) builder.andWhere('s.status = :status', { status: query.status });
    if (query.from) builder.andWhere('s.start_time >= :from', { from: new Date(query.from) });
    if (query.to) builder.andWhere('s.start_time < :to', { to: new Date(query.to) });
    if (query.cursor) {
      const position = decodeCursor(query.cursor);
      const after = new Date(position.value);
      if (Number.isNaN(after.getTime())) throw new AppException('VALIDATION_ERROR', 'cursor is not a cursor this API issued');
      builder.andWhere(
        new Brackets((where) =>
          where
            .where('s.start_time > :after', { after })
            .orWhere('(s.start_time = :after AND s.id > :afterId)', { after, afterId: position.id }),
        ),
      );
    }
    const rows = await builder.take(limit + 1).getMany();
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor({ value: last.startTime.toISOString(), id: last.id }) : null,
    };
  }

  /** The session if the caller may see it; otherwise 404, whether or not it exists. */
  async get(viewer: AuthUser, id: string, manager: EntityManager = this.sessions.manager): Promise<TherapySession> {
    const session = await manager.findOneBy(TherapySession, { id });
    if (!session || !canAccess(viewer, session)) throw new AppException('SESSION_NOT_FOUND', 'Session not found');
    return session;
  }

  async update(actor: AuthUser, id: string, input: UpdateSessionDto): Promise<TherapySession> {
    return this.dataSource.transaction(async (manager) => {
      const session = await this.lockForChange(actor, id, manager);
      const previous = {
        startTime: session.startTime,
        endTime: session.endTime,
        timezone: session.timezone,
        status: session.status,
      };
      if (input.status === SessionStatus.Cancelled) return this.cancelLocked(actor, session, manager);
      if (session.status !== SessionStatus.Scheduled) {
        throw new AppException('INVALID_SESSION_STATE', `A ${session.status} session cannot be changed`);
      }
      const start = input.startTime ? new Date(input.startTime) : session.startTime;
      const end = input.endTime ? new Date(input.endTime) : session.endTime;
      assertValidTimeRange(start, end);
      const rescheduled =
        start.getTime() !== session.startTime.getTime() ||
        end.getTime() !== session.endTime.getTime() ||
        (input.timezone !== undefined && input.timezone !== session.timezone);
      session.startTime = start;
      session.endTime = end;
      session.timezone = input.timezone ?? session.timezone;
      if (input.status === SessionStatus.Completed) session.status = SessionStatus.Completed;
      const saved = await manager.save(session);
      if (rescheduled) await this.emit(SessionEvents.Rescheduled, { session: saved, previous, actor, manager });
      if (input.status === SessionStatus.Completed) {
        await this.emit(SessionEvents.Completed, { session: saved, previous, actor, manager });
      }
      return saved;
    });
  }

  /** Cancelling keeps the row (history, payments, audit); cancelling twice changes nothing. */
  async cancel(actor: AuthUser, id: string): Promise<TherapySession> {
    return this.dataSource.transaction(async (manager) => {
      const session = await this.lockForChange(actor, id, manager);
      return this.cancelLocked(actor, session, manager);
    });
  }

  private async cancelLocked(actor: AuthUser, session: TherapySession, manager: EntityManager) {
    if (session.status === SessionStatus.Cancelled) return session;
    if (session.status === SessionStatus.Completed) {
      throw new AppException('INVALID_SESSION_STATE', 'A completed session cannot be cancelled');
    }
    const previous = {
      startTime: session.startTime,
      endTime: session.endTime,
      timezone: session.timezone,
      status: session.status,
    };
    session.status = SessionStatus.Cancelled;
    session.cancelledAt = new Date();
    const saved = await manager.save(session);
    await this.emit(SessionEvents.Cancelled, { session: saved, previous, actor, manager });
    return saved;
  }

  /** Row lock so concurrent changes to one session apply one after the other, each seeing the other's result. */
  private async lockForChange(actor: AuthUser, id: string, manager: EntityManager): Promise<TherapySession> {
    const session = await manager
      .getRepository(TherapySession)
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.id = :id', { id })
      .getOne();
    if (!session || !canAccess(actor, session)) throw new AppException('SESSION_NOT_FOUND', 'Session not found');
    if (!canManage(actor, session)) {
      throw new AppException('FORBIDDEN', 'Only the therapist of the session or an admin can change it');
    }
    return session;
  }

  private therapistFor(actor: AuthUser, requested: string | undefined): string {
    if (actor.role === Role.Admin) {
      if (!requested) throw new AppException('VALIDATION_ERROR', 'therapistId is required when an admin schedules');
      return requested;
    }
    if (requested && requested !== actor.id) {
      throw new AppException('FORBIDDEN', 'A therapist schedules sessions for themself only');
    }
    return actor.id;
  }

  private async emit(event: string, payload: SessionChangedEvent): Promise<void> {
    await this.events.emitAsync(event, payload);
  }
}

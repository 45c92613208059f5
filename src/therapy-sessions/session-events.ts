import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import type { TherapySession } from './therapy-session.entity.js';

/**
 * Domain events of a therapy session. They are emitted inside the database transaction that made the change and
 * awaited (EventEmitter2.emitAsync), so a subscriber (calendar, video, payment) enqueues its jobs with `manager`:
 * if the change rolls back, so do the jobs. Subscribers must not call providers here.
 */
export const SessionEvents = {
  Created: 'therapy-session.created',
  Rescheduled: 'therapy-session.rescheduled',
  Cancelled: 'therapy-session.cancelled',
  Completed: 'therapy-session.completed',
} as const;

export interface SessionChangedEvent {
  session: TherapySession;
  /** the session before the change (rescheduled: the old times) */
  previous?: Pick<TherapySession, 'startTime' | 'endTime' | 'timezone' | 'status'>;
  actor: AuthUser;
  manager: EntityManager;
}

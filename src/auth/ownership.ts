import type { AuthUser } from './auth-user.js';
import { Role } from './users/user.entity.js';

/** What ownership is decided on: the two people of a therapy session (or of a subscription, a meeting, ...). */
export interface OwnedByParticipants {
  therapistId: string;
  clientId: string;
}

/** Admins reach everything; a therapist their own sessions; a client their own. */
export function canAccess(user: AuthUser, object: OwnedByParticipants): boolean {
  switch (user.role) {
    case Role.Admin:
      return true;
    case Role.Therapist:
      return object.therapistId === user.id;
    case Role.Client:
      return object.clientId === user.id;
    default:
      return false;
  }
}

/** Who may change an object (reschedule, cancel, create meetings): its therapist or an admin, never the client. */
export function canManage(user: AuthUser, object: OwnedByParticipants): boolean {
  return user.role === Role.Admin || (user.role === Role.Therapist && object.therapistId === user.id);
}

/** Whether a therapist may schedule with this client: the client is theirs. Admins may pair anyone. */
export function canScheduleWith(user: AuthUser, client: { role: Role; therapistId: string | null }): boolean {
  if (client.role !== Role.Client) return false;
  return user.role === Role.Admin || (user.role === Role.Therapist && client.therapistId === user.id);
}

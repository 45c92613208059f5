import type { EntityManager } from 'typeorm';

/**
 * What other modules may know about a session's video room, and when it changes. The event is emitted inside the
 * transaction that changed the room and awaited (EventEmitter2.emitAsync), like the session events: a subscriber
 * enqueues its jobs with `manager` and calls no provider.
 */
export const MeetingEvents = {
  /** a room was created, its links changed, or it was deleted */
  Changed: 'video-meeting.changed',
} as const;

export interface MeetingChangedEvent {
  sessionId: string;
  manager: EntityManager;
}

/** The session's room as anyone in the session may see it: the join link only, never the host's start URL. */
export abstract class MeetingLinks {
  /** the live room's join URL, or null when the session has no room */
  abstract joinUrl(sessionId: string): Promise<string | null>;
}

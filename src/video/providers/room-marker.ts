import { createHash } from 'node:crypto';

/**
 * An opaque tag for the room we create for a session. Zoom has no idempotency key, so a create whose answer was
 * lost can only be recognised afterwards by something we put into the room; this is that something. A hash of the
 * session id (never a name or anything else about the client), stable across attempts and restarts.
 */
export function roomMarker(sessionId: string): string {
  return `ref:${createHash('sha256').update(`video-room:${sessionId}`).digest('hex').slice(0, 32)}`;
}

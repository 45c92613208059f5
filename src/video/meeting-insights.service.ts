import { Injectable } from '@nestjs/common';
import { PhiAccessService } from '../audit/phi-access.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import type { MeetingParticipant, MeetingRecording } from './providers/video-provider.js';
import { VideoProviderRegistry } from './providers/provider-registry.js';
import { VideoProviderName } from './video-errors.js';
import { VideoService } from './video.service.js';
import { ZoomWebhookService } from './webhooks/zoom-webhook.service.js';

/**
 * Attendance and recordings of a session's meeting: protected health information, so every read is written to
 * the access trail before anything is returned.
 */
@Injectable()
export class MeetingInsightsService {
  constructor(
    private readonly video: VideoService,
    private readonly providers: VideoProviderRegistry,
    private readonly phi: PhiAccessService,
    private readonly zoomWebhooks: ZoomWebhookService,
  ) {}

  async participants(user: AuthUser, sessionId: string, requestId?: string): Promise<{ participants: MeetingParticipant[] }> {
    const { session, meeting } = await this.video.latestForInsight(user, sessionId);
    const provider = this.providers.get(meeting.provider);
    await this.phi.record(user, { action: 'read', resourceType: 'meeting_participants', resourceId: meeting.id, sessionId: session.id, requestId });
    const fromProvider = await this.video.track(user, provider, 'meeting.participants', session.id, () =>
      provider.listParticipants(this.video.ref(meeting, session)),
    );
    if (meeting.provider !== VideoProviderName.Zoom) return { participants: fromProvider };
    // joined/left webhooks fill in while the meeting runs, before Zoom's past-meeting report exists
    const known = new Set(fromProvider.map((participant) => participant.id));
    const fromEvents = (await this.zoomWebhooks.participants(meeting.externalId!)).filter((participant) => !known.has(participant.id));
    return { participants: [...fromProvider, ...fromEvents] };
  }

  async recordings(user: AuthUser, sessionId: string, requestId?: string): Promise<{ recording: MeetingRecording[] }> {
    const { session, meeting } = await this.video.latestForInsight(user, sessionId);
    const provider = this.providers.get(meeting.provider);
    await this.phi.record(user, { action: 'read', resourceType: 'meeting_recording', resourceId: meeting.id, sessionId: session.id, requestId });
    const fromProvider = await this.video.track(user, provider, 'meeting.recordings', session.id, () =>
      provider.listRecordings(this.video.ref(meeting, session)),
    );
    if (meeting.provider !== VideoProviderName.Zoom) return { recording: fromProvider };
    const known = new Set(fromProvider.map((recording) => recording.id));
    const fromEvents = (await this.zoomWebhooks.recordings(meeting.externalId!)).filter((recording) => !known.has(recording.id));
    return { recording: [...fromProvider, ...fromEvents] };
  }
}

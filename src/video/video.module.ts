import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConnectionsModule } from '../connections/connections.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { TherapySessionsModule } from '../therapy-sessions/therapy-sessions.module.js';
import { ConnectedHosts } from './connected-hosts.js';
import { HostConnections } from './host-connections.js';
import { MeetingInsightsService } from './meeting-insights.service.js';
import { MeetingLinks } from './meeting-links.js';
import { MeetingSecrets } from './meeting-secrets.js';
import { MeetingSyncJobs } from './meeting-sync.jobs.js';
import { VIDEO_PROVIDER_LIST, VideoProviderRegistry } from './providers/provider-registry.js';
import { TeamsProvider } from './providers/teams/teams.provider.js';
import { ZoomAccountToken } from './providers/zoom/zoom-account-token.js';
import { ZoomProvider } from './providers/zoom/zoom.provider.js';
import { MeetingReminder } from './reminders/meeting-reminder.entity.js';
import { MeetingRemindersService } from './reminders/meeting-reminders.service.js';
import { VideoConnectionsService } from './video-connections.service.js';
import { VideoMeeting } from './video-meeting.entity.js';
import { VideoMeetingLinks } from './video-meeting-links.js';
import { VideoController } from './video.controller.js';
import { VideoService } from './video.service.js';
import { VideoWebhookEvent } from './webhooks/video-webhook-event.entity.js';
import { ZoomWebhookController } from './webhooks/zoom-webhook.controller.js';
import { ZoomWebhookService } from './webhooks/zoom-webhook.service.js';

/** Zoom and Teams rooms for therapy sessions, with reminders, attendance, recordings and the Zoom webhook. */
@Module({
  imports: [
    TypeOrmModule.forFeature([VideoMeeting, VideoWebhookEvent, MeetingReminder]),
    TherapySessionsModule,
    ConnectionsModule,
    NotificationsModule,
  ],
  controllers: [VideoController, ZoomWebhookController],
  providers: [
    { provide: HostConnections, useClass: ConnectedHosts },
    ZoomAccountToken,
    ZoomProvider,
    TeamsProvider,
    // adding a provider: its folder, one line here, one VideoProviderName value
    { provide: VIDEO_PROVIDER_LIST, useFactory: (...providers) => providers, inject: [ZoomProvider, TeamsProvider] },
    VideoProviderRegistry,
    MeetingSecrets,
    VideoService,
    MeetingInsightsService,
    MeetingRemindersService,
    MeetingSyncJobs,
    VideoConnectionsService,
    ZoomWebhookService,
    { provide: MeetingLinks, useClass: VideoMeetingLinks },
  ],
  // the narrow read other modules (calendar) may use; see meeting-links.ts for the change event
  exports: [MeetingLinks],
})
export class VideoModule {}

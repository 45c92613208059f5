import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConnectionsModule } from '../connections/connections.module.js';
import { TherapySessionsModule } from '../therapy-sessions/therapy-sessions.module.js';
import { VideoModule } from '../video/video.module.js';
import { CalendarEvent } from './calendar-event.entity.js';
import { CalendarProviderRegistry } from './calendar-provider.registry.js';
import { CalendarCalls } from './calendar-sync.js';
import { CalendarSyncJobs } from './calendar-sync.jobs.js';
import { CalendarController } from './calendar.controller.js';
import { CalendarService } from './calendar.service.js';
import { CaldavCalendarProvider } from './providers/caldav/caldav-calendar.provider.js';
import { GoogleCalendarProvider } from './providers/google/google-calendar.provider.js';
import { OutlookCalendarProvider } from './providers/outlook/outlook-calendar.provider.js';
import { ProviderRateLimiter } from './rate-limiter.js';

/** Adding a provider: a folder under providers/, its class here and in the registry factory, one name in CALENDAR_PROVIDERS. */
@Module({
  // VideoModule: only its MeetingLinks (join links for event descriptions) and MeetingEvents
  imports: [TypeOrmModule.forFeature([CalendarEvent]), ConnectionsModule, TherapySessionsModule, VideoModule],
  controllers: [CalendarController],
  providers: [
    GoogleCalendarProvider,
    OutlookCalendarProvider,
    CaldavCalendarProvider,
    {
      provide: CalendarProviderRegistry,
      useFactory: (google: GoogleCalendarProvider, outlook: OutlookCalendarProvider, caldav: CaldavCalendarProvider) =>
        new CalendarProviderRegistry([google, outlook, caldav]),
      inject: [GoogleCalendarProvider, OutlookCalendarProvider, CaldavCalendarProvider],
    },
    ProviderRateLimiter,
    CalendarCalls,
    CalendarService,
    CalendarSyncJobs,
  ],
  exports: [CalendarService],
})
export class CalendarModule {}

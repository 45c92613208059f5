import { Injectable, Logger } from '@nestjs/common';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { AttendanceRecord, CallRecording, Event, MeetingAttendanceReport, OnlineMeeting } from '@microsoft/microsoft-graph-types';
import { AppException } from '../../../common/app-exception.js';
import { AppConfig } from '../../../config/app-config.js';
import { HostConnections } from '../../host-connections.js';
import { VideoProviderError, VideoProviderName } from '../../video-errors.js';
import { withProviderRetry } from '../provider-retry.js';
import {
  type CreateMeetingInput,
  type CreatedMeeting,
  type MeetingHost,
  type MeetingParticipant,
  type MeetingRecording,
  type MeetingRef,
  type MeetingSchedule,
  VideoProvider,
} from '../video-provider.js';
import { graphClientFor } from './graph-client.js';
import { parseGraphError } from './teams-errors.js';
import { fromAttendanceRecord, fromCallRecording, toGraphEvent, toGraphSchedule } from './teams.mapper.js';

interface Collection<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

const MAX_PAGES = 50;

/** Teams meetings through Microsoft Graph, as calendar events of the host's Microsoft work account. */
@Injectable()
export class TeamsProvider extends VideoProvider {
  readonly name = VideoProviderName.Teams;
  private readonly logger = new Logger(TeamsProvider.name);

  constructor(
    private readonly config: AppConfig,
    private readonly hosts: HostConnections,
  ) {
    super();
  }

  async createMeeting(input: CreateMeetingInput): Promise<CreatedMeeting> {
    const graph = await this.clientFor(input.host);
    const event = await this.call(() => graph.api('/me/events').post(toGraphEvent(input)) as Promise<Event>);
    const joinUrl = event.onlineMeeting?.joinUrl;
    if (!joinUrl) {
      // Graph answers a personal (outlook.com) account with a plain event and no Teams link: remove it and say why.
      await this.call(() => graph.api(`/me/events/${encodeURIComponent(event.id!)}`).delete()).catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not remove the event that got no Teams meeting'),
      );
      throw new VideoProviderError(
        VideoProviderName.Teams,
        'PERSONAL_ACCOUNT',
        'Teams meetings need a Microsoft work or school account: the connected account (a personal Microsoft account) cannot host them',
      );
    }
    const escaped = joinUrl.replace(/'/g, "''");
    const found = await this.call(
      () => graph.api('/me/onlineMeetings').filter(`JoinWebUrl eq '${escaped}'`).get() as Promise<Collection<OnlineMeeting>>,
    );
    const meeting = found.value?.[0];
    return {
      externalId: meeting?.id ?? event.id!,
      externalUuid: null,
      eventId: event.id!,
      joinUrl,
      // Teams has no separate host link: the organiser joins with the same URL and is recognised by sign-in
      startUrl: joinUrl,
      passcode: meeting?.joinMeetingIdSettings?.passcode ?? null,
      authMode: 'user',
    };
  }

  async updateMeeting(ref: MeetingRef, schedule: MeetingSchedule): Promise<void> {
    const graph = await this.clientFor(ref.host);
    await this.call(() => graph.api(`/me/events/${encodeURIComponent(this.eventOf(ref))}`).patch(toGraphSchedule(schedule)));
  }

  async deleteMeeting(ref: MeetingRef): Promise<void> {
    const graph = await this.clientFor(ref.host);
    try {
      await this.call(() => graph.api(`/me/events/${encodeURIComponent(this.eventOf(ref))}`).delete());
    } catch (error) {
      if (error instanceof VideoProviderError && error.reason === 'NOT_FOUND') return;
      throw error;
    }
  }

  async listParticipants(ref: MeetingRef): Promise<MeetingParticipant[]> {
    const graph = await this.clientFor(ref.host);
    const base = `/me/onlineMeetings/${encodeURIComponent(ref.externalId)}/attendanceReports`;
    const reports = await this.all<MeetingAttendanceReport>(graph, base);
    const participants: MeetingParticipant[] = [];
    for (const report of reports) {
      const records = await this.all<AttendanceRecord>(graph, `${base}/${encodeURIComponent(report.id!)}/attendanceRecords`);
      participants.push(...records.map((record, index) => fromAttendanceRecord(record, participants.length + index)));
    }
    return participants;
  }

  async listRecordings(ref: MeetingRef): Promise<MeetingRecording[]> {
    const graph = await this.clientFor(ref.host);
    const recordings = await this.all<CallRecording>(graph, `/me/onlineMeetings/${encodeURIComponent(ref.externalId)}/recordings`);
    return recordings.map(fromCallRecording);
  }

  private eventOf(ref: MeetingRef): string {
    if (!ref.eventId) throw new VideoProviderError(VideoProviderName.Teams, 'INVALID_REQUEST', 'This Teams meeting has no calendar event to change');
    return ref.eventId;
  }

  /** Every page of a Graph collection (following @odata.nextLink). */
  private async all<T>(graph: Client, path: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const url: string = next;
      const body = await this.call(() => graph.api(url).get() as Promise<Collection<T>>);
      items.push(...(body.value ?? []));
      next = body['@odata.nextLink'];
    }
    return items;
  }

  private async clientFor(host: MeetingHost): Promise<Client> {
    if (!this.config.microsoft.clientId && !this.config.outlook.clientId) {
      throw new AppException('PROVIDER_NOT_CONFIGURED', 'Microsoft Teams is not configured (MICROSOFT_CLIENT_ID)');
    }
    const connection = await this.hosts.microsoftAccessToken(host.userId);
    if (!connection) {
      throw new VideoProviderError(
        VideoProviderName.Teams,
        'NOT_CONNECTED',
        'Connect a Microsoft work account with Teams meeting permissions (OnlineMeetings.ReadWrite) first',
      );
    }
    return graphClientFor(this.config, connection.accessToken);
  }

  /** The SDK's RetryHandler covers 429/503/504; a 500 is tried again here. */
  private call<T>(run: () => Promise<T>): Promise<T> {
    return withProviderRetry(async () => {
      try {
        return await run();
      } catch (error) {
        throw parseGraphError(error);
      }
    });
  }
}

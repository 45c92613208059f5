import { randomInt } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
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
import { ZoomAccountToken } from './zoom-account-token.js';
import { parseZoomError, zoomNetworkError } from './zoom-errors.js';
import {
  fromZoomMeeting,
  fromZoomParticipant,
  fromZoomRecordingFile,
  toZoomMeetingBody,
  toZoomScheduleBody,
  type ZoomMeeting,
  type ZoomMeetingList,
  type ZoomParticipantsPage,
  type ZoomRecordingFile,
  zoomUuidSegment,
} from './zoom.mapper.js';
import { zoomUrls } from './zoom-urls.js';

type AuthMode = 'account' | 'user';
interface Credentials {
  mode: AuthMode;
  token: () => Promise<string>;
}

const PASSCODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const MAX_PARTICIPANT_PAGES = 100;
const MAX_LIST_PAGES = 50;

/** Zoom API v2 over fetch: the host's own Zoom connection when they have one, else the practice's S2S account. */
@Injectable()
export class ZoomProvider extends VideoProvider {
  readonly name = VideoProviderName.Zoom;
  private readonly logger = new Logger(ZoomProvider.name);

  constructor(
    private readonly config: AppConfig,
    private readonly accountToken: ZoomAccountToken,
    private readonly hosts: HostConnections,
  ) {
    super();
  }

  async createMeeting(input: CreateMeetingInput): Promise<CreatedMeeting> {
    const credentials = await this.credentialsFor(input.host);
    const body = toZoomMeetingBody(input, newPasscode());
    if (credentials.mode === 'user') {
      return fromZoomMeeting(await this.createOnce(credentials, '/users/me', body), 'user');
    }
    // The practice account creates the room for the therapist's Zoom user; a therapist without a seat in the
    // account gets a room hosted by the account owner, and still receives its start URL.
    try {
      return fromZoomMeeting(await this.createOnce(credentials, `/users/${encodeURIComponent(input.host.email)}`, body), 'account');
    } catch (error) {
      if (!(error instanceof VideoProviderError) || error.extra.providerCode !== 1001) throw error;
      this.logger.warn({ hostUserId: input.host.userId }, 'therapist has no Zoom user in the account; hosting under the account owner');
      return fromZoomMeeting(await this.createOnce(credentials, '/users/me', body), 'account');
    }
  }

  /**
   * POST /users/{user}/meetings with retries that never make a second room. Zoom has no idempotency key: after a
   * 5xx, a timeout or a dropped connection the room may exist although its answer never came, so before trying
   * again (and once more after the last try) we look for the room by its marker in the agenda and adopt it. A 429
   * needs no look: Zoom refuses it before creating anything.
   */
  private async createOnce(credentials: Credentials, user: string, body: ReturnType<typeof toZoomMeetingBody>): Promise<ZoomMeeting> {
    let mayExist = false;
    const adopt = async () => {
      const found = await this.findByMarker(credentials, user, body.agenda);
      if (found) this.logger.warn({ meetingId: found.id }, 'Zoom created the room although its answer was lost; adopting it');
      return found;
    };
    try {
      return await withProviderRetry(async () => {
        if (mayExist) {
          const found = await adopt();
          if (found) return found;
        }
        try {
          return await this.callOnce<ZoomMeeting>(credentials, 'POST', `${user}/meetings`, body);
        } catch (error) {
          if (error instanceof VideoProviderError && error.reason === 'TEMPORARY') mayExist = true;
          throw error;
        }
      });
    } catch (error) {
      if (!mayExist) throw error;
      const found = await adopt().catch(() => undefined);
      if (found) return found;
      throw error;
    }
  }

  /** the host's room carrying this marker, read in full (list items have no start_url or password) */
  private async findByMarker(credentials: Credentials, user: string, marker: string): Promise<ZoomMeeting | undefined> {
    let token = '';
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const query = new URLSearchParams({ type: 'scheduled', page_size: '300', ...(token ? { next_page_token: token } : {}) });
      const list = await this.callOnce<ZoomMeetingList>(credentials, 'GET', `${user}/meetings?${query}`);
      const match = (list.meetings ?? []).find((meeting) => meeting.agenda === marker);
      if (match) return this.callOnce<ZoomMeeting>(credentials, 'GET', `/meetings/${encodeURIComponent(String(match.id))}`);
      token = list.next_page_token ?? '';
      if (!token) return undefined;
    }
    return undefined;
  }

  async updateMeeting(ref: MeetingRef, schedule: MeetingSchedule): Promise<void> {
    await this.call(await this.credentialsFor(ref.host, ref.authMode), 'PATCH', `/meetings/${encodeURIComponent(ref.externalId)}`, toZoomScheduleBody(schedule));
  }

  async deleteMeeting(ref: MeetingRef): Promise<void> {
    try {
      await this.call(await this.credentialsFor(ref.host, ref.authMode), 'DELETE', `/meetings/${encodeURIComponent(ref.externalId)}`);
    } catch (error) {
      if (error instanceof VideoProviderError && error.reason === 'NOT_FOUND') return;
      throw error;
    }
  }

  async listParticipants(ref: MeetingRef): Promise<MeetingParticipant[]> {
    const credentials = await this.credentialsFor(ref.host, ref.authMode);
    const segment = zoomUuidSegment(ref.externalUuid ?? ref.externalId);
    const participants: MeetingParticipant[] = [];
    let token = '';
    for (let page = 0; page < MAX_PARTICIPANT_PAGES; page++) {
      const query = new URLSearchParams({ page_size: '300', ...(token ? { next_page_token: token } : {}) });
      let body: ZoomParticipantsPage;
      try {
        body = await this.call<ZoomParticipantsPage>(credentials, 'GET', `/past_meetings/${segment}/participants?${query}`);
      } catch (error) {
        // the meeting has not happened (yet): no participants, not an error
        if (error instanceof VideoProviderError && error.reason === 'NOT_FOUND' && page === 0) return [];
        throw error;
      }
      participants.push(...(body.participants ?? []).map((item, index) => fromZoomParticipant(item, participants.length + index)));
      token = body.next_page_token ?? '';
      if (!token) break;
    }
    return participants;
  }

  async listRecordings(ref: MeetingRef): Promise<MeetingRecording[]> {
    const credentials = await this.credentialsFor(ref.host, ref.authMode);
    const segment = ref.externalUuid ? zoomUuidSegment(ref.externalUuid) : encodeURIComponent(ref.externalId);
    try {
      const body = await this.call<{ recording_files?: ZoomRecordingFile[] }>(credentials, 'GET', `/meetings/${segment}/recordings`);
      return (body.recording_files ?? []).map(fromZoomRecordingFile);
    } catch (error) {
      // 3301 "This recording does not exist": nothing recorded (HIPAA accounts never record to the cloud)
      if (error instanceof VideoProviderError && error.reason === 'NOT_FOUND') return [];
      throw error;
    }
  }

  private async credentialsFor(host: MeetingHost, mode?: AuthMode | null): Promise<Credentials> {
    if (mode !== 'account') {
      const userToken = await this.hosts.zoomAccessToken(host.userId);
      if (userToken) return { mode: 'user', token: async () => userToken };
      if (mode === 'user') {
        throw new VideoProviderError(VideoProviderName.Zoom, 'NOT_CONNECTED', 'The host’s Zoom account is no longer connected');
      }
    }
    if (!this.accountToken.configured) {
      throw new AppException('PROVIDER_NOT_CONFIGURED', 'Zoom is not configured: connect a Zoom account or set ZOOM_ACCOUNT_ID');
    }
    return { mode: 'account', token: () => this.accountToken.get() };
  }

  /** One Zoom request with retries on 429/5xx. */
  private call<T = void>(credentials: Credentials, method: string, path: string, body?: unknown): Promise<T> {
    return withProviderRetry(() => this.callOnce<T>(credentials, method, path, body));
  }

  /** One Zoom request; a rejected S2S token is fetched again once. */
  private async callOnce<T = void>(credentials: Credentials, method: string, path: string, body?: unknown): Promise<T> {
    for (let renewed = false; ; renewed = true) {
      try {
        return await this.send<T>(await credentials.token(), method, path, body);
      } catch (error) {
        if (credentials.mode === 'account' && !renewed && error instanceof VideoProviderError && error.reason === 'AUTH_REVOKED') {
          this.accountToken.invalidate();
          continue;
        }
        throw error;
      }
    }
  }

  private async send<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${zoomUrls(this.config).api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw zoomNetworkError(error);
    }
    if (!response.ok) throw await parseZoomError(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** Zoom allows at most 10 characters; 8 from an alphabet without look-alikes. */
function newPasscode(): string {
  return Array.from({ length: 8 }, () => PASSCODE_ALPHABET[randomInt(PASSCODE_ALPHABET.length)]).join('');
}

import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import { GoogleOAuthClient, googleEndpoints } from '../../../connections/oauth/google-oauth-client.js';
import {
  type CalendarEventContent,
  CalendarProvider,
  type ProviderAccess,
  type RemoteEventState,
  type StoredEventRef,
  type WrittenEvent,
} from '../../calendar-provider.js';
import { fromGoogleEvent, googleEventId, toGoogleEvent } from './google-event.mapper.js';
import { parseGoogleError } from './parse-google-error.js';

const CALENDAR_ID = 'primary';

/** Google Calendar v3 through @googleapis/calendar, against config.google.apiBaseUrl (the emulator) when set. */
@Injectable()
export class GoogleCalendarProvider extends CalendarProvider {
  readonly name = 'google' as const;
  readonly access = 'oauth' as const;
  private readonly oauth: GoogleOAuthClient;
  private readonly rootUrl: string;

  constructor(private readonly config: AppConfig) {
    super();
    this.oauth = new GoogleOAuthClient(config);
    this.rootUrl = googleEndpoints(config).apiRootUrl;
  }

  configured(): boolean {
    return this.oauth.configured;
  }

  private api(access: ProviderAccess): calendar_v3.Calendar {
    const auth = this.oauth.client();
    auth.setCredentials({ access_token: access.accessToken });
    // retry: false: the SDK would retry GET/DELETE only; retries, Retry-After and rate limits are the sync layer's.
    return calendar({ version: 'v3', auth, rootUrl: this.rootUrl, retry: false, timeout: 20_000 });
  }

  async upsertEvent(access: ProviderAccess, event: CalendarEventContent, existing: StoredEventRef | null): Promise<WrittenEvent> {
    const api = this.api(access);
    const id = existing?.providerEventId ?? googleEventId(event.key);
    const calendarId = existing?.calendarRef ?? CALENDAR_ID;
    const body = toGoogleEvent(event);
    try {
      const { data } = await api.events.insert({ calendarId, sendUpdates: 'none', requestBody: { ...body, id } });
      return { providerEventId: data.id ?? id, calendarRef: calendarId, etag: data.etag ?? null, htmlLink: data.htmlLink };
    } catch (error) {
      const failure = parseGoogleError(error);
      if (failure.kind !== 'CONFLICT') throw failure;
    }
    // 409: the id exists (an earlier attempt, another instance, or an event deleted since: patching revives it).
    try {
      const { data } = await api.events.patch({ calendarId, eventId: id, sendUpdates: 'none', requestBody: body });
      return { providerEventId: id, calendarRef: calendarId, etag: data.etag ?? null, htmlLink: data.htmlLink };
    } catch (error) {
      throw parseGoogleError(error);
    }
  }

  async deleteEvent(access: ProviderAccess, ref: StoredEventRef): Promise<void> {
    try {
      await this.api(access).events.delete({
        calendarId: ref.calendarRef ?? CALENDAR_ID,
        eventId: ref.providerEventId ?? googleEventId(ref.key),
        sendUpdates: 'none',
      });
    } catch (error) {
      const failure = parseGoogleError(error);
      if (failure.kind !== 'NOT_FOUND') throw failure;
    }
  }

  async fetchEvent(access: ProviderAccess, ref: StoredEventRef): Promise<RemoteEventState | null> {
    try {
      const { data } = await this.api(access).events.get({
        calendarId: ref.calendarRef ?? CALENDAR_ID,
        eventId: ref.providerEventId ?? googleEventId(ref.key),
      });
      return fromGoogleEvent(data);
    } catch (error) {
      const failure = parseGoogleError(error);
      if (failure.kind === 'NOT_FOUND') return null;
      throw failure;
    }
  }
}

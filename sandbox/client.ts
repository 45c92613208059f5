/**
 * A typed client of an emulator's control API (/__sandbox/...), for tests and bench scripts:
 *
 *   const google = new SandboxControl(sandbox.urls.google);
 *   await google.reset();
 *   await google.addFault({ method: 'POST', path: '/events$', status: 503, count: 2 });
 *   const { entries } = await google.journal();
 */
import type { calendar_v3 } from '@googleapis/calendar';
import type { JournalEntry, QuotaSettings, SandboxActivity, SandboxSettings } from './core/contract.js';
import type { EmulatorStats, FaultSpec } from './core/server.js';
import type { ExternalChange } from './google/index.js';
import type { PushChannel, PushDelivery } from './google/push.js';

export class SandboxControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`sandbox control request failed with ${status}: ${body}`);
  }
}

export class SandboxControl {
  readonly google = new GoogleControl(this);

  constructor(readonly baseUrl: string) {}

  reset(): Promise<{ ok: true }> {
    return this.request('POST', 'reset');
  }

  /** requests received after sequence number `since` (all when omitted) */
  journal(since = 0): Promise<{ entries: JournalEntry[] }> {
    return this.request('GET', `journal?since=${since}`);
  }

  activities(): Promise<{ activities: SandboxActivity[] }> {
    return this.request('GET', 'activities');
  }

  addFault(fault: FaultSpec): Promise<{ id: number }> {
    return this.request('POST', 'faults', fault);
  }

  clearFaults(): Promise<{ ok: true }> {
    return this.request('DELETE', 'faults');
  }

  quota(): Promise<QuotaSettings> {
    return this.request('GET', 'quota');
  }

  setQuota(quota: QuotaSettings): Promise<QuotaSettings> {
    return this.request('PUT', 'quota', quota);
  }

  stats(): Promise<EmulatorStats> {
    return this.request('GET', 'stats');
  }

  clock(): Promise<{ now: string; offsetMs: number }> {
    return this.request('GET', 'clock');
  }

  advanceClock(seconds: number): Promise<{ now: string; offsetMs: number }> {
    return this.request('POST', 'clock/advance', { seconds });
  }

  settings(): Promise<SandboxSettings> {
    return this.request('GET', 'settings');
  }

  updateSettings(settings: SandboxSettings): Promise<SandboxSettings> {
    return this.request('PUT', 'settings', settings);
  }

  /** any control route, including provider-specific ones not wrapped here */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/__sandbox/${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new SandboxControlError(response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export class GoogleControl {
  constructor(private readonly control: SandboxControl) {}

  /** every stored event (cancelled ones too); calendarId 'primary' means the default sandbox user's calendar */
  events(calendarId?: string): Promise<{ events: Array<{ calendarId: string; event: calendar_v3.Schema$Event }> }> {
    const query = calendarId ? `?calendarId=${encodeURIComponent(calendarId)}` : '';
    return this.control.request('GET', `events${query}`);
  }

  /** the calendar's owner moves, edits or deletes an event in Google Calendar (push notifications follow) */
  externalChange(calendarId: string, eventId: string, change: ExternalChange): Promise<calendar_v3.Schema$Event> {
    return this.control.request('POST', `events/${encodeURIComponent(calendarId)}/${encodeURIComponent(eventId)}/external-change`, change);
  }

  /** makes every sync token issued so far for the calendar answer 410 fullSyncRequired */
  invalidateSyncTokens(calendarId: string): Promise<{ ok: true }> {
    return this.control.request('POST', `calendars/${encodeURIComponent(calendarId)}/invalidate-sync-tokens`);
  }

  channels(): Promise<{ channels: PushChannel[] }> {
    return this.control.request('GET', 'channels');
  }

  deliveries(): Promise<{ deliveries: PushDelivery[] }> {
    return this.control.request('GET', 'deliveries');
  }
}

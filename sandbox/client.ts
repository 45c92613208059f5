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
import type { SimulatedAttendee } from './microsoft/mailbox.js';
import type { SimulationInput } from './zoom/simulation.js';

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
  readonly stripe = new StripeControl(this);
  readonly microsoft = new MicrosoftControl(this);
  readonly zoom = new ZoomControl(this);

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

/** Stripe's controls (sandbox/stripe/README.md) */
export class StripeControl {
  constructor(private readonly control: SandboxControl) {}

  addWebhookEndpoint(url: string, secret: string): Promise<unknown> {
    return this.control.request('POST', 'webhook_endpoints', { url, secret });
  }

  /** settles a payment intent like a customer's bank would */
  settlePaymentIntent(id: string, outcome: 'succeed' | 'fail' | 'require_action' | 'processing', declineCode?: string): Promise<unknown> {
    return this.control.request('POST', `payment_intents/${encodeURIComponent(id)}/settle`, { outcome, declineCode });
  }

  /** moves a subscription one period on, its invoice paid or failed */
  advanceSubscription(id: string, outcome: 'paid' | 'failed' = 'paid', declineCode?: string): Promise<unknown> {
    return this.control.request('POST', `subscriptions/${encodeURIComponent(id)}/advance`, { outcome, declineCode });
  }

  /** the next `count` webhook deliveries are lost */
  dropNextWebhooks(count = 1): Promise<unknown> {
    return this.control.request('POST', 'webhooks/drop-next', { count });
  }
}

/** Microsoft's controls (sandbox/microsoft/README.md) */
export class MicrosoftControl {
  constructor(private readonly control: SandboxControl) {}

  upsertAccount(account: { email: string; displayName?: string; personal?: boolean }): Promise<unknown> {
    return this.control.request('PUT', 'accounts', account);
  }

  revokeSessions(email: string): Promise<unknown> {
    return this.control.request('POST', 'accounts/revoke', { email });
  }

  simulateMeeting(input: { meetingId?: string; joinWebUrl?: string; eventId?: string; attendees?: SimulatedAttendee[]; recording?: boolean }): Promise<unknown> {
    return this.control.request('POST', 'meetings/simulate', input);
  }
}

/** Zoom's controls (sandbox/zoom/README.md) */
export class ZoomControl {
  constructor(private readonly control: SandboxControl) {}

  setWebhook(url: string, secretToken: string): Promise<unknown> {
    return this.control.request('PUT', 'webhook', { url, secretToken });
  }

  /** the meeting takes place: participants join and leave, a recording completes, webhooks go out */
  simulateMeeting(meetingId: string | number, input: SimulationInput = {}): Promise<unknown> {
    return this.control.request('POST', `meetings/${encodeURIComponent(String(meetingId))}/simulate`, input);
  }
}

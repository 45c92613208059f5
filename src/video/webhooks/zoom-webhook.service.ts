import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppException } from '../../common/app-exception.js';
import { AppConfig } from '../../config/app-config.js';
import type { MeetingParticipant, MeetingRecording } from '../providers/video-provider.js';
import { fromZoomRecordingFile, type ZoomRecordingFile } from '../providers/zoom/zoom.mapper.js';
import { VideoWebhookEvent } from './video-webhook-event.entity.js';

/** Zoom signs `v0:{timestamp}:{body}`; older than this is refused as a replay. */
const MAX_AGE_SECONDS = 5 * 60;
const STORED_EVENTS = new Set(['meeting.participant_joined', 'meeting.participant_left', 'recording.completed', 'meeting.started', 'meeting.ended']);

interface ZoomEvent {
  event?: string;
  event_ts?: number;
  payload?: { plainToken?: string; object?: Record<string, unknown> };
}

interface ZoomWebhookParticipant {
  id?: string;
  participant_uuid?: string;
  user_id?: string;
  user_name?: string;
  email?: string;
  join_time?: string;
  leave_time?: string;
}

const unauthorized = () => new AppException('WEBHOOK_ERROR', 'Invalid webhook signature', { status: 401 });

/** Zoom webhooks: signature on the raw body, the url_validation handshake, and events stored once. */
@Injectable()
export class ZoomWebhookService {
  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async receive(rawBody: Buffer | undefined, headers: Record<string, string | string[] | undefined>): Promise<unknown> {
    const secret = this.config.zoom.webhookSecretToken;
    if (!secret) throw new AppException('PROVIDER_NOT_CONFIGURED', 'Zoom webhooks are not configured (ZOOM_WEBHOOK_SECRET_TOKEN)');
    if (!rawBody?.length) throw new AppException('WEBHOOK_ERROR', 'Empty webhook body');
    this.verify(secret, rawBody, header(headers, 'x-zm-request-timestamp'), header(headers, 'x-zm-signature'));
    let event: ZoomEvent;
    try {
      event = JSON.parse(rawBody.toString('utf8')) as ZoomEvent;
    } catch {
      throw new AppException('WEBHOOK_ERROR', 'Webhook body is not JSON');
    }
    if (event.event === 'endpoint.url_validation') {
      const plainToken = event.payload?.plainToken;
      if (typeof plainToken !== 'string' || !plainToken) throw new AppException('WEBHOOK_ERROR', 'plainToken missing');
      return { plainToken, encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex') };
    }
    if (typeof event.event !== 'string') throw new AppException('WEBHOOK_ERROR', 'event missing');
    const stored = STORED_EVENTS.has(event.event) ? await this.store(event, rawBody) : false;
    // the handler is a raw response (for url_validation): this is the seed's envelope written out
    return { success: true, data: { received: true, duplicate: STORED_EVENTS.has(event.event) && !stored } };
  }

  /** Participants seen through participant_joined/left events, for a meeting whose report Zoom does not give. */
  async participants(meetingId: string): Promise<MeetingParticipant[]> {
    const rows = await this.events(meetingId, ['meeting.participant_joined', 'meeting.participant_left']);
    const byId = new Map<string, MeetingParticipant>();
    for (const row of rows) {
      const person = ((row.payload.payload as ZoomEvent['payload'])?.object?.participant ?? {}) as ZoomWebhookParticipant;
      const id = person.id || person.participant_uuid || person.user_id;
      if (!id) continue;
      const entry = byId.get(id) ?? { id, name: null, email: null, joinTime: null, leaveTime: null, duration: 0 };
      entry.name = person.user_name || entry.name;
      entry.email = person.email || entry.email;
      if (person.join_time) entry.joinTime = person.join_time;
      if (person.leave_time) entry.leaveTime = person.leave_time;
      if (entry.joinTime && entry.leaveTime) {
        entry.duration = Math.max(0, Math.round((Date.parse(entry.leaveTime) - Date.parse(entry.joinTime)) / 60_000));
      }
      byId.set(id, entry);
    }
    return [...byId.values()];
  }

  async recordings(meetingId: string): Promise<MeetingRecording[]> {
    const rows = await this.events(meetingId, ['recording.completed']);
    return rows.flatMap((row) => {
      const files = ((row.payload.payload as ZoomEvent['payload'])?.object?.recording_files ?? []) as ZoomRecordingFile[];
      return files.map(fromZoomRecordingFile);
    });
  }

  private events(meetingId: string, types: string[]): Promise<VideoWebhookEvent[]> {
    return this.dataSource
      .getRepository(VideoWebhookEvent)
      .createQueryBuilder('e')
      .where('e.provider = :provider AND e.meeting_external_id = :meetingId AND e.event_type IN (:...types)', {
        provider: 'zoom',
        meetingId,
        types,
      })
      .orderBy('e.received_at', 'ASC')
      .getMany();
  }

  private verify(secret: string, rawBody: Buffer, timestamp: string | undefined, signature: string | undefined): void {
    if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) throw unauthorized();
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > MAX_AGE_SECONDS) throw unauthorized();
    const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) throw unauthorized();
  }

  /** One INSERT ... ON CONFLICT DO NOTHING: Zoom redelivers the same body, so its hash is the event's identity. */
  private async store(event: ZoomEvent, rawBody: Buffer): Promise<boolean> {
    const object = event.payload?.object ?? {};
    const meetingId = object.id === undefined || object.id === null ? null : String(object.id);
    const rows = (await this.dataSource.query(
      `INSERT INTO video_webhook_events (provider, dedupe_key, event_type, meeting_external_id, payload)
       VALUES ('zoom', $1, $2, $3, $4) ON CONFLICT (provider, dedupe_key) DO NOTHING RETURNING id`,
      [createHash('sha256').update(rawBody).digest('hex'), event.event, meetingId, JSON.stringify(event)],
    )) as Array<{ id: string }>;
    return rows.length > 0;
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

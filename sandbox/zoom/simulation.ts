/**
 * The control "a Zoom meeting happened": participants join and leave, the meeting ends and (with cloud recording)
 * the recording completes. It fills past-meeting participants and recordings and sends the webhooks Zoom sends.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../core/contract.js';
import { instanceUuid, zoomTime, type Participant, type StoredZoomMeeting } from './meetings.js';
import type { DeliveryResult, ZoomWebhooks } from './webhooks.js';

export interface SimulatedParticipant {
  name: string;
  email?: string;
  /** seconds after the meeting start (default 0) */
  joinOffsetSeconds?: number;
  /** default 2700 */
  durationSeconds?: number;
}

export interface SimulationInput {
  /** the instance UUID (default a new one; tests pass one with '/' to exercise double encoding) */
  uuid?: string;
  participants?: SimulatedParticipant[];
  /** complete a cloud recording (default: when the meeting's auto_recording is 'cloud') */
  recording?: boolean;
}

export async function simulateMeeting(
  stored: StoredZoomMeeting,
  input: SimulationInput,
  deps: { ctx: EmulatorContext; webhooks: ZoomWebhooks; hipaa: boolean; accountId: string },
): Promise<{ uuid: string; participants: Participant[]; recording: boolean; deliveries: DeliveryResult[] }> {
  const meeting = stored.meeting;
  const uuid = input.uuid ?? (stored.instances.length === 0 ? meeting.uuid : instanceUuid());
  const start = Date.parse(String(meeting.start_time));
  const participants: Participant[] = (input.participants ?? []).map((person) => {
    const joined = start + (person.joinOffsetSeconds ?? 0) * 1000;
    const duration = person.durationSeconds ?? 2700;
    return {
      id: randomBytes(16).toString('base64url').slice(0, 22),
      participant_uuid: randomUUID().toUpperCase(),
      name: person.name,
      user_email: person.email ?? '',
      join_time: zoomTime(joined),
      leave_time: zoomTime(joined + duration * 1000),
      duration,
    };
  });
  const end = Math.max(start + 60_000, ...participants.map((participant) => Date.parse(participant.leave_time)));
  const instance = { uuid, start_time: zoomTime(start), end_time: zoomTime(end), participants };
  stored.instances.push(instance);

  const object = {
    id: String(meeting.id),
    uuid,
    host_id: meeting.host_id,
    topic: meeting.topic,
    type: meeting.type,
    start_time: zoomTime(start),
    timezone: meeting.timezone,
    duration: meeting.duration,
  };
  const person = (participant: Participant) => ({
    user_id: String(16778240 + Math.floor(Math.random() * 1000)),
    user_name: deps.hipaa ? '' : participant.name,
    id: participant.id,
    participant_uuid: participant.participant_uuid,
    ...(deps.hipaa || !participant.user_email ? {} : { email: participant.user_email }),
  });

  const deliveries: DeliveryResult[] = [];
  const send = async (event: string, payloadObject: Record<string, unknown>, extra?: Record<string, unknown>) => {
    deliveries.push(await deps.webhooks.send(event, { account_id: deps.accountId, object: payloadObject }, extra));
  };
  await send('meeting.started', object);
  for (const participant of participants) {
    await send('meeting.participant_joined', { ...object, participant: { ...person(participant), join_time: participant.join_time } });
  }
  for (const participant of [...participants].sort((a, b) => a.leave_time.localeCompare(b.leave_time))) {
    await send('meeting.participant_left', {
      ...object,
      participant: { ...person(participant), leave_time: participant.leave_time, leave_reason: 'left the meeting' },
    });
  }
  await send('meeting.ended', { ...object, end_time: zoomTime(end) });

  const wantsRecording = input.recording ?? meeting.settings.auto_recording === 'cloud';
  // HIPAA (BAA) accounts have cloud recording disabled: nothing is recorded to the cloud
  const recorded = wantsRecording && !deps.hipaa;
  if (recorded) {
    const base = deps.ctx.baseUrl();
    const file = (fileType: 'MP4' | 'M4A', recordingType: string, size: number) => {
      const id = randomUUID();
      return {
        id,
        meeting_id: uuid,
        recording_start: zoomTime(start),
        recording_end: zoomTime(end),
        file_type: fileType,
        file_extension: fileType,
        file_size: size,
        play_url: `https://zoom.us/rec/play/${id}`,
        download_url: `${base}/rec/download/${id}`,
        status: 'completed',
        recording_type: recordingType,
      };
    };
    const files = [file('MP4', 'shared_screen_with_speaker_view', 52_428_800), file('M4A', 'audio_only', 5_242_880)];
    const recording = {
      uuid,
      id: meeting.id,
      account_id: deps.accountId,
      host_id: meeting.host_id,
      topic: meeting.topic,
      type: meeting.type,
      start_time: zoomTime(start),
      timezone: meeting.timezone,
      duration: Math.round((end - start) / 60_000),
      total_size: files.reduce((sum, item) => sum + item.file_size, 0),
      recording_count: files.length,
      share_url: `https://zoom.us/rec/share/${randomBytes(24).toString('base64url')}`,
      recording_files: files,
      password: '',
      recording_play_passcode: randomBytes(24).toString('base64url'),
    };
    Object.assign(instance, { recording });
    await send('recording.completed', { ...recording, host_email: stored.hostEmail }, { download_token: randomBytes(32).toString('base64url') });
  }
  deps.ctx.recordActivity({
    kind: 'event',
    summary: `Zoom meeting ${meeting.id} happened: ${participants.length} participant(s)${recorded ? ', cloud recording completed' : ''}`,
  });
  return { uuid, participants, recording: recorded, deliveries };
}

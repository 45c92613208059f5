import { Injectable } from '@nestjs/common';
import { SecretBox } from '../connections/secret-box.js';
import type { VideoMeeting } from './video-meeting.entity.js';

/** Seals a meeting's passcode and start URL, bound to the meeting row so a copied column does not decrypt elsewhere. */
@Injectable()
export class MeetingSecrets {
  constructor(private readonly box: SecretBox) {}

  seal(meetingId: string, field: 'passcode' | 'start_url', value: string | null): string | null {
    return value === null ? null : this.box.encrypt(value, `video_meetings:${meetingId}:${field}`);
  }

  passcode(meeting: VideoMeeting): string | null {
    return meeting.passcodeEncrypted ? this.box.decrypt(meeting.passcodeEncrypted, `video_meetings:${meeting.id}:passcode`) : null;
  }

  startUrl(meeting: VideoMeeting): string | null {
    return meeting.startUrlEncrypted ? this.box.decrypt(meeting.startUrlEncrypted, `video_meetings:${meeting.id}:start_url`) : null;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MeetingLinks } from './meeting-links.js';
import { MeetingStatus, VideoMeeting } from './video-meeting.entity.js';

@Injectable()
export class VideoMeetingLinks extends MeetingLinks {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async joinUrl(sessionId: string): Promise<string | null> {
    const meeting = await this.dataSource.manager.findOne(VideoMeeting, { where: { sessionId, status: MeetingStatus.Active }, select: { id: true, joinUrl: true } });
    return meeting?.joinUrl ?? null;
  }
}

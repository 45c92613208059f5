import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, IsUrl, Matches, MaxLength } from 'class-validator';
import { VideoProviderName } from './video-errors.js';

const HTTPS_URL = { protocols: ['https'], require_protocol: true, require_tld: true };

/** The seed's body of PUT .../sessions/:sessionId/meeting. */
export class UpdateMeetingDto {
  @ApiProperty({ enum: VideoProviderName, example: 'zoom' })
  @IsString()
  @MaxLength(20)
  provider: string;

  @ApiProperty({ example: '123456789', description: 'The provider’s meeting id' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  @Matches(/^[A-Za-z0-9_\-=.:@%+/]+$/, { message: 'meetingId contains characters a meeting id never has' })
  meetingId: string;

  @ApiProperty({ example: 'https://zoom.us/j/123456789' })
  @IsUrl(HTTPS_URL, { message: 'joinUrl must be an https URL' })
  @MaxLength(2048)
  joinUrl: string;

  @ApiPropertyOptional({ example: 'abc123', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  password?: string | null;

  @ApiPropertyOptional({ example: 'https://zoom.us/s/123456789' })
  @IsOptional()
  @IsUrl(HTTPS_URL, { message: 'startUrl must be an https URL' })
  @MaxLength(2048)
  startUrl?: string;
}

export class ConnectVideoDto {
  @ApiPropertyOptional({ description: 'the `code` the provider sent to the redirect URI' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  authCode?: string;

  @ApiPropertyOptional({ description: 'the `state` from authorize-url, echoed by the provider' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  state?: string;
}

/** The seed's create answer. */
export class CreatedMeetingDto {
  @ApiProperty({ example: '123456789' })
  meetingId: string;

  @ApiProperty({ example: 'https://zoom.us/j/123456789' })
  joinUrl: string;

  @ApiProperty({ example: 'abc123', nullable: true, type: String })
  password: string | null;

  @ApiProperty({ example: 'https://zoom.us/s/123456789', nullable: true, type: String, description: 'host link (therapist and admins only)' })
  startUrl: string | null;

  @ApiProperty({ enum: VideoProviderName })
  provider: VideoProviderName;
}

export class MeetingDto {
  @ApiProperty({ example: '123456789' })
  meetingId: string;

  @ApiProperty({ example: 'https://zoom.us/j/123456789' })
  joinUrl: string;

  @ApiProperty({ example: 'abc123', nullable: true, type: String })
  password: string | null;

  @ApiPropertyOptional({ example: 'https://zoom.us/s/123456789', nullable: true, type: String, description: 'only for the host and admins' })
  startUrl?: string | null;

  @ApiProperty({ enum: VideoProviderName })
  provider: VideoProviderName;

  @ApiProperty({ example: '2024-01-01T12:00:00.000Z' })
  createdAt: string;
}

export class MeetingEnvelopeDto {
  @ApiProperty({ type: MeetingDto })
  meeting: MeetingDto;
}

export class ParticipantDto {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String, description: 'null on HIPAA accounts' }) name: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'null on HIPAA accounts' }) email: string | null;
  @ApiProperty({ nullable: true, type: String }) joinTime: string | null;
  @ApiProperty({ nullable: true, type: String }) leaveTime: string | null;
  @ApiProperty({ description: 'minutes' }) duration: number;
}

export class ParticipantsDto {
  @ApiProperty({ type: [ParticipantDto] })
  participants: ParticipantDto[];
}

export class RecordingDto {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String, example: 'mp4' }) fileType: string | null;
  @ApiProperty({ nullable: true, type: Number }) fileSize: number | null;
  @ApiProperty({ nullable: true, type: String }) playUrl: string | null;
  @ApiProperty({ nullable: true, type: String }) downloadUrl: string | null;
  @ApiProperty({ nullable: true, type: String }) recordingStart: string | null;
  @ApiProperty({ nullable: true, type: String }) recordingEnd: string | null;
}

export class RecordingsDto {
  @ApiProperty({ type: [RecordingDto] })
  recording: RecordingDto[];
}

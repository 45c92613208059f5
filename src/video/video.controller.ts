import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth-user.js';
import { Authenticated, CurrentUser } from '../auth/roles.decorator.js';
import { Role } from '../auth/users/user.entity.js';
import { withMessage } from '../common/envelope.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger.js';
import { MeetingInsightsService } from './meeting-insights.service.js';
import { VideoConnectionsService } from './video-connections.service.js';
import { ConnectVideoDto, CreatedMeetingDto, MeetingEnvelopeDto, ParticipantsDto, RecordingsDto, UpdateMeetingDto } from './video.dto.js';
import { VideoService } from './video.service.js';

const SessionId = () => Param('sessionId', new ParseUUIDPipe({ version: '4' }));

@ApiTags('video')
@Controller('integrations/video')
export class VideoController {
  constructor(
    private readonly video: VideoService,
    private readonly insights: MeetingInsightsService,
    private readonly connections: VideoConnectionsService,
  ) {}

  @Get(':provider/authorize-url')
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'The consent page of Zoom or Microsoft (Teams) for the caller’s own account' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.SERVICE_UNAVAILABLE)
  authorizeUrl(@CurrentUser() user: AuthUser, @Param('provider') provider: string) {
    return this.connections.authorizeUrl(user, provider);
  }

  @Post(':provider/connect')
  @HttpCode(HttpStatus.OK)
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'Finish connecting Zoom or Microsoft (Teams) with the code and state from the redirect' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.BAD_GATEWAY, HttpStatus.SERVICE_UNAVAILABLE)
  async connect(@CurrentUser() user: AuthUser, @Param('provider') provider: string, @Body() body: ConnectVideoDto) {
    const data = await this.connections.connect(user, provider, body);
    return withMessage(`${provider === 'zoom' ? 'Zoom' : 'Microsoft Teams'} connected successfully`, data);
  }

  @Get('integrations')
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'The caller’s video connections (never tokens)' })
  integrations(@CurrentUser() user: AuthUser) {
    return this.connections.list(user);
  }

  @Delete(':provider/disconnect')
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  async disconnect(@CurrentUser() user: AuthUser, @Param('provider') provider: string) {
    return withMessage('Video provider disconnected successfully', await this.connections.disconnect(user, provider));
  }

  @Get('sessions/:sessionId/meeting')
  @Authenticated()
  @ApiOperation({ summary: 'The session’s meeting; startUrl only for the host and admins' })
  @ApiEnvelope(MeetingEnvelopeDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  meeting(@CurrentUser() user: AuthUser, @SessionId() sessionId: string) {
    return this.video.get(user, sessionId);
  }

  @Put('sessions/:sessionId/meeting')
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'Record a meeting made elsewhere, or correct the current meeting’s links' })
  @ApiEnvelope(MeetingEnvelopeDto, { message: 'Meeting updated successfully' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  async update(@CurrentUser() user: AuthUser, @SessionId() sessionId: string, @Body() body: UpdateMeetingDto) {
    return withMessage('Meeting updated successfully', await this.video.put(user, sessionId, body));
  }

  @Delete('sessions/:sessionId/meeting/:provider')
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'Delete the meeting at the provider and here' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.BAD_GATEWAY)
  async remove(@CurrentUser() user: AuthUser, @SessionId() sessionId: string, @Param('provider') provider: string) {
    return withMessage('Meeting deleted successfully', await this.video.delete(user, sessionId, provider));
  }

  @Post('sessions/:sessionId/reminders')
  @HttpCode(HttpStatus.OK)
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'Email the therapist and the client their own meeting link now' })
  @ApiEnvelope(null, { message: 'Meeting reminders sent successfully' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  async reminders(@CurrentUser() user: AuthUser, @SessionId() sessionId: string) {
    await this.video.sendReminders(user, sessionId);
    return withMessage('Meeting reminders sent successfully');
  }

  @Get('sessions/:sessionId/participants')
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'Who attended (every page); each read is written to the PHI access trail' })
  @ApiEnvelope(ParticipantsDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.BAD_GATEWAY)
  participants(@CurrentUser() user: AuthUser, @SessionId() sessionId: string, @Req() request: FastifyRequest) {
    return this.insights.participants(user, sessionId, request.id);
  }

  @Get('sessions/:sessionId/recording')
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'The meeting’s recordings; each read is written to the PHI access trail' })
  @ApiEnvelope(RecordingsDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.BAD_GATEWAY)
  recording(@CurrentUser() user: AuthUser, @SessionId() sessionId: string, @Req() request: FastifyRequest) {
    return this.insights.recordings(user, sessionId, request.id);
  }

  @Post('sessions/:sessionId/:provider')
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'Create the session’s Zoom or Teams meeting (201), or return the existing one (200)' })
  @ApiEnvelope(CreatedMeetingDto, { status: HttpStatus.CREATED })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.BAD_GATEWAY, HttpStatus.SERVICE_UNAVAILABLE)
  async create(
    @CurrentUser() user: AuthUser,
    @SessionId() sessionId: string,
    @Param('provider') provider: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { meeting, created } = await this.video.create(user, sessionId, provider);
    if (!created) reply.status(HttpStatus.OK);
    return meeting;
  }
}

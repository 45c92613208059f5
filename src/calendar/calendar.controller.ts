import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { Authenticated, CurrentUser } from '../auth/roles.decorator.js';
import { withMessage } from '../common/envelope.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger.js';
import {
  AuthorizeUrlDto,
  CalendarPreferencesDto,
  ConnectAppleDto,
  ConnectCalendarDto,
  ConnectedDto,
  CreateCalendarEventDto,
  DisconnectQueryDto,
  IntegrationsDto,
  SyncSessionDto,
} from './calendar.dto.js';
import { CalendarService } from './calendar.service.js';

@ApiTags('Calendar integrations')
@Controller('integrations/calendar')
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get(':provider/authorize-url')
  @Authenticated()
  @ApiOperation({ summary: 'Start connecting Google or Outlook: consent URL with state and PKCE' })
  @ApiEnvelope(AuthorizeUrlDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.SERVICE_UNAVAILABLE)
  authorizeUrl(@CurrentUser() user: AuthUser, @Param('provider') provider: string) {
    return this.calendar.authorizeUrl(user, provider);
  }

  @Post('apple/connect')
  @HttpCode(HttpStatus.OK)
  @Authenticated()
  @ApiOperation({ summary: 'Connect Apple Calendar (CalDAV) with an app-specific password' })
  @ApiEnvelope(ConnectedDto, { message: 'Apple Calendar connected successfully' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.BAD_GATEWAY)
  async connectApple(@CurrentUser() user: AuthUser, @Body() body: ConnectAppleDto) {
    return withMessage('Apple Calendar connected successfully', await this.calendar.connectApple(user, body));
  }

  @Post(':provider/connect')
  @HttpCode(HttpStatus.OK)
  @Authenticated()
  @ApiOperation({ summary: 'Finish connecting Google or Outlook with the authorization code' })
  @ApiEnvelope(ConnectedDto, { message: 'Google Calendar connected successfully' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.BAD_GATEWAY, HttpStatus.SERVICE_UNAVAILABLE)
  async connect(@CurrentUser() user: AuthUser, @Param('provider') provider: string, @Body() body: ConnectCalendarDto) {
    const data = await this.calendar.connect(user, provider, body);
    return withMessage(`${this.calendar.label(data.provider as 'google')} connected successfully`, data);
  }

  @Get('integrations')
  @Authenticated()
  @ApiOperation({ summary: 'Your calendar connections with their status and last successful sync' })
  @ApiEnvelope(IntegrationsDto)
  integrations(@CurrentUser() user: AuthUser) {
    return this.calendar.integrations(user);
  }

  @Delete(':provider/disconnect')
  @Authenticated()
  @ApiOperation({ summary: 'Revoke and forget a calendar connection (optionally deleting the events it created)' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.BAD_GATEWAY)
  async disconnect(@CurrentUser() user: AuthUser, @Param('provider') provider: string, @Query() query: DisconnectQueryDto) {
    const data = await this.calendar.disconnect(user, provider, query.removeEvents === true);
    return withMessage(`${this.calendar.label(data.provider)} disconnected successfully`, data);
  }

  @Post('events')
  @Authenticated()
  @ApiOperation({ summary: 'Create an event in your connected calendar' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.BAD_GATEWAY)
  async createEvent(@CurrentUser() user: AuthUser, @Body() body: CreateCalendarEventDto) {
    return withMessage('Calendar event created successfully', await this.calendar.createEvent(user, body));
  }

  @Post('sessions/:sessionId/sync')
  @HttpCode(HttpStatus.OK)
  @Authenticated()
  @ApiOperation({ summary: "Put a therapy session in your own calendar (admin: the therapist's); repeatable" })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.BAD_GATEWAY)
  async syncSession(@CurrentUser() user: AuthUser, @Param('sessionId', ParseUUIDPipe) sessionId: string, @Body() body: SyncSessionDto) {
    return withMessage('Therapy session synced successfully', await this.calendar.syncSession(user, sessionId, body.provider));
  }

  @Get('sessions/:sessionId/events')
  @Authenticated()
  @ApiOperation({ summary: "The session's calendar events and any change made to them in an external calendar (calendarDrift)" })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  sessionEvents(@CurrentUser() user: AuthUser, @Param('sessionId', ParseUUIDPipe) sessionId: string) {
    return this.calendar.sessionEvents(user, sessionId);
  }

  @Put('preferences')
  @Authenticated()
  @ApiOperation({ summary: "Opt in (or out) of the client's initials in your own calendar entries" })
  @ApiErrors(HttpStatus.BAD_REQUEST)
  setPreferences(@CurrentUser() user: AuthUser, @Body() body: CalendarPreferencesDto) {
    return this.calendar.setPreferences(user, body.showClientInitials);
  }
}


import { Body, Controller, Delete, Get, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { Authenticated, CurrentUser } from '../auth/roles.decorator.js';
import { Role } from '../auth/users/user.entity.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger.js';
import { CreateSessionDto, ListSessionsQueryDto, SessionDto, SessionPageDto, UpdateSessionDto } from './session.dto.js';
import { TherapySessionsService } from './therapy-sessions.service.js';

@ApiTags('Therapy sessions')
@Controller('sessions')
export class TherapySessionsController {
  constructor(private readonly sessions: TherapySessionsService) {}

  @Post()
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'Schedule a session (therapist: with their own client; admin: anyone)' })
  @ApiEnvelope(SessionDto, { status: HttpStatus.CREATED })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  async create(@CurrentUser() user: AuthUser, @Body() body: CreateSessionDto): Promise<SessionDto> {
    return SessionDto.from(await this.sessions.create(user, body), user);
  }

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Sessions the caller may see, by start time' })
  @ApiEnvelope(SessionPageDto)
  @ApiErrors(HttpStatus.BAD_REQUEST)
  async list(@CurrentUser() user: AuthUser, @Query() query: ListSessionsQueryDto): Promise<SessionPageDto> {
    const page = await this.sessions.list(user, query);
    return { items: page.items.map((session) => SessionDto.from(session, user)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Authenticated()
  @ApiEnvelope(SessionDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  async get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<SessionDto> {
    return SessionDto.from(await this.sessions.get(user, id), user);
  }

  @Patch(':id')
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'Reschedule, complete or cancel; linked calendar events and meetings follow' })
  @ApiEnvelope(SessionDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  async update(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateSessionDto,
  ): Promise<SessionDto> {
    return SessionDto.from(await this.sessions.update(user, id, body), user);
  }

  @Delete(':id')
  @Authenticated(Role.Therapist, Role.Admin)
  @ApiOperation({ summary: 'Cancel the session (the record is kept)' })
  @ApiEnvelope(SessionDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  async cancel(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<SessionDto> {
    return SessionDto.from(await this.sessions.cancel(user, id), user);
  }
}

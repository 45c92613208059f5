import { Body, Controller, Get, HttpStatus, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiErrors } from '../../common/swagger.js';
import type { AuthUser } from '../auth-user.js';
import { Authenticated, CurrentUser } from '../roles.decorator.js';
import { CreateUserDto, UserDto } from './user.dto.js';
import { Role } from './user.entity.js';
import { UsersService } from './users.service.js';

@ApiTags('Users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Authenticated(Role.Admin)
  @ApiEnvelope(UserDto, { status: HttpStatus.CREATED })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  async create(@Body() body: CreateUserDto): Promise<UserDto> {
    return UserDto.from(await this.users.create(body));
  }

  @Get()
  @Authenticated(Role.Admin, Role.Therapist)
  @ApiEnvelope(UserDto, { isArray: true, description: 'Admins: all users; therapists: their clients' })
  async list(@CurrentUser() user: AuthUser): Promise<UserDto[]> {
    return (await this.users.list(user)).map(UserDto.from);
  }

  @Get('me')
  @Authenticated()
  @ApiEnvelope(UserDto)
  async me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return UserDto.from(await this.users.get(user.id));
  }
}

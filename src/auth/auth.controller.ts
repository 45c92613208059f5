import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiErrors, ErrorEnvelopeDto } from '../common/swagger.js';
import { ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthService } from './auth.service.js';
import { LoginDto, LoginResultDto } from './login.dto.js';
import { Public } from './roles.decorator.js';

@ApiTags('Auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Exchange email and password for a short-lived JWT (rate-limited per account and IP)' })
  @ApiEnvelope(LoginResultDto)
  @ApiUnauthorizedResponse({ description: 'INVALID_CREDENTIALS', type: ErrorEnvelopeDto })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.TOO_MANY_REQUESTS)
  login(@Body() body: LoginDto): Promise<LoginResultDto> {
    return this.auth.login(body);
  }
}

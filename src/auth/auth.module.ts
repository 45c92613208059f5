import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard, RolesGuard } from './guards.js';
import { JwtStrategy } from './jwt.strategy.js';
import { User } from './users/user.entity.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';

type LoginRequest = Record<string, any> & { ip?: string; body?: { email?: unknown } };

@Module({
  imports: [
    PassportModule,
    TypeOrmModule.forFeature([User]),
    // Login attempts are limited per client IP and, separately, per account (so rotating IPs do not help a guesser).
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const { perAccount, perIp, ttlSeconds } = config.auth.loginRateLimit;
        return {
          throttlers: [
            { name: 'login-ip', limit: perIp, ttl: ttlSeconds * 1000, getTracker: (req: LoginRequest) => String(req.ip) },
            {
              name: 'login-account',
              limit: perAccount,
              ttl: ttlSeconds * 1000,
              getTracker: (req: LoginRequest) =>
                typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : `ip:${req.ip}`,
            },
          ],
        };
      },
    }),
  ],
  controllers: [AuthController, UsersController],
  providers: [
    AuthService,
    UsersService,
    JwtStrategy,
    AdminBootstrap,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [UsersService],
})
export class AuthModule {}

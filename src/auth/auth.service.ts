import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { AppException } from '../common/app-exception.js';
import { AppConfig } from '../config/app-config.js';
import type { JwtClaims } from './auth-user.js';
import { jwtKey } from './jwt.strategy.js';
import { LoginDto, LoginResultDto } from './login.dto.js';
import { unknownUserHash, verifyPassword } from './password.js';
import { UsersService } from './users/users.service.js';

@Injectable()
export class AuthService {
  private readonly key;

  constructor(
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {
    this.key = jwtKey(config);
  }

  async login({ email, password }: LoginDto): Promise<LoginResultDto> {
    const user = await this.users.findForLogin(email);
    // Same work whether or not the account exists, and the same answer: no account enumeration.
    const valid = await verifyPassword(password, user?.passwordHash ?? (await unknownUserHash()));
    if (!user || !valid) throw new AppException('INVALID_CREDENTIALS', 'Invalid email or password');
    const claims: JwtClaims = { sub: user.id, role: user.role, email: user.email };
    const accessToken = jwt.sign(claims, this.key, {
      algorithm: 'HS256',
      expiresIn: this.config.auth.jwtTtlSeconds,
      issuer: this.config.auth.jwtIssuer,
      audience: this.config.auth.jwtAudience,
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.auth.jwtTtlSeconds };
  }
}

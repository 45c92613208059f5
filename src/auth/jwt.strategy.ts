import { createSecretKey, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config.js';
import type { AuthUser, JwtClaims } from './auth-user.js';
import { Role } from './users/user.entity.js';

/** The HS256 key as a KeyObject: verifying with one is several times cheaper than with a string secret. */
export function jwtKey(config: AppConfig): KeyObject {
  return createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8'));
}

const ROLES = new Set<string>(Object.values(Role));

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // jsonwebtoken accepts a KeyObject; passport-jwt's types only name string | Buffer.
      secretOrKey: jwtKey(config) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: config.auth.jwtIssuer,
      audience: config.auth.jwtAudience,
      ignoreExpiration: false,
    });
  }

  validate(claims: Partial<JwtClaims>): AuthUser | false {
    if (typeof claims.sub !== 'string' || typeof claims.email !== 'string' || !ROLES.has(String(claims.role))) {
      return false;
    }
    return { id: claims.sub, role: claims.role as Role, email: claims.email };
  }
}

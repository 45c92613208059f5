import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppException } from '../common/app-exception.js';
import type { AuthUser } from './auth-user.js';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator.js';
import { Role } from './users/user.entity.js';

/** Global: every route needs a valid JWT unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()])) {
      return true;
    }
    return super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    if (error || !user) {
      const reason = info instanceof Error && info.name === 'TokenExpiredError' ? 'Token expired' : 'Invalid or missing token';
      throw new AppException('UNAUTHORIZED', `Authentication required: ${reason}`);
    }
    return user;
  }
}

/** Global: enforces @Authenticated(...roles); read from the handler first, then the controller. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (user && roles.includes(user.role)) return true;
    throw new AppException('FORBIDDEN', `This action requires the role ${roles.join(' or ')}`);
  }
}

import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../common/swagger.js';
import type { AuthUser } from './auth-user.js';
import { Role } from './users/user.entity.js';

export const ROLES_KEY = 'app:roles';
export const PUBLIC_KEY = 'app:public';

/** No token needed (login, health, provider webhooks). Every other route requires a valid JWT. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/**
 * Requires a JWT and, when roles are given, one of them; documents bearer auth and the 401/403 answers.
 */
export function Authenticated(...roles: Role[]) {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, expired or invalid token', type: ErrorEnvelopeDto }),
    ...(roles.length > 0
      ? [ApiForbiddenResponse({ description: `Requires role: ${roles.join(' or ')}`, type: ErrorEnvelopeDto })]
      : []),
  );
}

/** The authenticated caller. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthUser => {
  return context.switchToHttp().getRequest<{ user: AuthUser }>().user;
});

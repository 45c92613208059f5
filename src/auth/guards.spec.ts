import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException } from '../common/app-exception.js';
import type { AuthUser } from './auth-user.js';
import { JwtAuthGuard, RolesGuard } from './guards.js';
import { Authenticated, Public } from './roles.decorator.js';
import { Role } from './users/user.entity.js';

@Controller()
@Authenticated(Role.Therapist)
class Fixture {
  @Get() classRoles() {}
  @Get() @Authenticated(Role.Admin) handlerRoles() {}
  @Get() @Authenticated() anyRole() {}
  @Get() @Public() open() {}
}

function context(handler: keyof Fixture, user?: AuthUser): ExecutionContext {
  return {
    getHandler: () => Fixture.prototype[handler],
    getClass: () => Fixture,
    switchToHttp: () => ({ getRequest: () => ({ user, headers: {} }) }),
  } as unknown as ExecutionContext;
}

const user = (role: Role): AuthUser => ({ id: 'u', role, email: 'u@x' });

describe(RolesGuard.name, () => {
  const guard = new RolesGuard(new Reflector());

  it('applies the controller roles when the handler names none', () => {
    expect(guard.canActivate(context('classRoles', user(Role.Therapist)))).toBe(true);
    expect(() => guard.canActivate(context('classRoles', user(Role.Client)))).toThrow(AppException);
  });

  it('lets the handler roles override the controller roles', () => {
    expect(guard.canActivate(context('handlerRoles', user(Role.Admin)))).toBe(true);
    expect(() => guard.canActivate(context('handlerRoles', user(Role.Therapist)))).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', status: 403 }),
    );
  });

  it('allows any authenticated role when @Authenticated() has none', () => {
    expect(guard.canActivate(context('anyRole', user(Role.Client)))).toBe(true);
  });

  it('refuses when there is no user on a role-restricted route', () => {
    expect(() => guard.canActivate(context('classRoles'))).toThrow(AppException);
  });
});

describe(JwtAuthGuard.name, () => {
  const guard = new JwtAuthGuard(new Reflector());

  it('lets @Public() routes through without a token', () => {
    expect(guard.canActivate(context('open'))).toBe(true);
  });

  it('turns a missing or invalid token into UNAUTHORIZED, and an expired one says so', () => {
    expect(() => guard.handleRequest(null, false, undefined)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED', status: 401 }));
    const expired = Object.assign(new Error('jwt expired'), { name: 'TokenExpiredError' });
    expect(() => guard.handleRequest(null, false, expired)).toThrow(/Token expired/);
    expect(guard.handleRequest(null, user(Role.Client), undefined)).toEqual(user(Role.Client));
  });
});

import { Role } from './users/user.entity.js';

/** The authenticated caller, as the JWT states it. */
export interface AuthUser {
  id: string;
  role: Role;
  email: string;
}

export interface JwtClaims {
  sub: string;
  role: Role;
  email: string;
}

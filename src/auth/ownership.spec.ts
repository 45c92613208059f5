import type { AuthUser } from './auth-user.js';
import { canAccess, canManage, canScheduleWith } from './ownership.js';
import { Role } from './users/user.entity.js';

const admin: AuthUser = { id: 'a', role: Role.Admin, email: 'a@x' };
const therapist: AuthUser = { id: 't', role: Role.Therapist, email: 't@x' };
const client: AuthUser = { id: 'c', role: Role.Client, email: 'c@x' };
const theirs = { therapistId: 't', clientId: 'c' };
const someoneElses = { therapistId: 't2', clientId: 'c2' };

describe('ownership', () => {
  it.each([
    [admin, theirs, true],
    [admin, someoneElses, true],
    [therapist, theirs, true],
    [therapist, someoneElses, false],
    [client, theirs, true],
    [client, someoneElses, false],
    [{ ...therapist, id: 'c' }, theirs, false],
    [{ ...client, id: 't' }, theirs, false],
  ])('canAccess(%o, %o) is %s', (user, object, expected) => {
    expect(canAccess(user, object)).toBe(expected);
  });

  it('lets only the therapist of the object or an admin manage it', () => {
    expect(canManage(admin, someoneElses)).toBe(true);
    expect(canManage(therapist, theirs)).toBe(true);
    expect(canManage(therapist, someoneElses)).toBe(false);
    expect(canManage(client, theirs)).toBe(false);
  });

  it('lets a therapist schedule only with their own clients, an admin with any client, nobody with a non-client', () => {
    expect(canScheduleWith(therapist, { role: Role.Client, therapistId: 't' })).toBe(true);
    expect(canScheduleWith(therapist, { role: Role.Client, therapistId: 't2' })).toBe(false);
    expect(canScheduleWith(therapist, { role: Role.Client, therapistId: null })).toBe(false);
    expect(canScheduleWith(admin, { role: Role.Client, therapistId: null })).toBe(true);
    expect(canScheduleWith(admin, { role: Role.Therapist, therapistId: null })).toBe(false);
    expect(canScheduleWith(client, { role: Role.Client, therapistId: 't' })).toBe(false);
  });
});

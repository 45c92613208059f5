import { registerDecorator, ValidationOptions } from 'class-validator';

// Region/City names only: Intl also accepts UTC offsets such as "+01:00", which are not zones and have no DST rules.
const ZONE_NAME = /^(?:UTC|[A-Za-z]+(?:\/[A-Za-z0-9_+-]+){1,2}|Etc\/[A-Za-z0-9+-]+)$/;

export function isIanaTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 64 || !ZONE_NAME.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export function IsIanaTimeZone(options?: ValidationOptions) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'isIanaTimeZone',
      target: target.constructor,
      propertyName: property,
      options: { message: `${property} must be an IANA time zone such as Europe/Berlin`, ...options },
      validator: { validate: isIanaTimeZone },
    });
}

// An instant: date, time and an explicit offset (Z or ±hh:mm). A local time without offset is ambiguous.
const INSTANT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export function isInstant(value: unknown): value is string {
  return typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(Date.parse(value));
}

export function IsInstant(options?: ValidationOptions) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName: property,
      options: { message: `${property} must be an ISO 8601 instant with offset, e.g. 2026-01-01T10:00:00Z`, ...options },
      validator: { validate: isInstant },
    });
}

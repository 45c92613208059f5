import { RetryAfterError } from '../../src/jobs/index.js';

describe(RetryAfterError.name, () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(RetryAfterError.fromHeader('120', undefined, 30, now).seconds).toBe(120);
  });

  it('reads an HTTP date', () => {
    expect(RetryAfterError.fromHeader('Sun, 01 Mar 2026 12:00:45 GMT', undefined, 30, now).seconds).toBe(45);
  });

  it('treats a date in the past as now', () => {
    expect(RetryAfterError.fromHeader('Sun, 01 Mar 2026 11:00:00 GMT', undefined, 30, now).seconds).toBe(0);
  });

  it('falls back when the header is absent or unreadable', () => {
    expect(RetryAfterError.fromHeader(undefined, undefined, 30, now).seconds).toBe(30);
    expect(RetryAfterError.fromHeader('soon', undefined, 10, now).seconds).toBe(10);
  });

  it('keeps the cause and rejects a negative delay', () => {
    const cause = new Error('429');
    expect(new RetryAfterError(5, cause).cause).toBe(cause);
    expect(() => new RetryAfterError(-1)).toThrow(RangeError);
  });
});

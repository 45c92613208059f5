/**
 * Thrown by a handler when the provider asked us to come back later (429/503 with Retry-After). The job is
 * retried no sooner than `seconds` from now, and the attempt still counts toward the queue's retry limit.
 */
export class RetryAfterError extends Error {
  override readonly name = 'RetryAfterError';

  constructor(
    readonly seconds: number,
    cause?: unknown,
  ) {
    super(`retry after ${seconds}s`, { cause });
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`RetryAfterError needs seconds >= 0, got ${seconds}`);
  }

  /**
   * From a Retry-After header (delta-seconds or an HTTP date). An absent or unreadable header falls back to
   * `fallbackSeconds`, since the provider still said "not now".
   */
  static fromHeader(value: string | null | undefined, cause?: unknown, fallbackSeconds = 30, now = Date.now()): RetryAfterError {
    const trimmed = value?.trim() ?? '';
    if (/^\d+$/.test(trimmed)) return new RetryAfterError(Number(trimmed), cause);
    const at = trimmed ? Date.parse(trimmed) : Number.NaN;
    if (Number.isFinite(at)) return new RetryAfterError(Math.max(0, Math.ceil((at - now) / 1000)), cause);
    return new RetryAfterError(fallbackSeconds, cause);
  }
}

/** Thrown by a handler when retrying cannot help (revoked credentials, a deleted calendar): fail now, for good. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';

  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

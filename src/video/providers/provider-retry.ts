import { setTimeout as sleep } from 'node:timers/promises';
import { VideoProviderError } from '../video-errors.js';

export interface RetryPolicy {
  /** attempts in all, the first included */
  attempts: number;
  /** a Retry-After longer than this is not waited for in-request: the error goes up (a job retries it later) */
  maxWaitSeconds: number;
  /** base of the exponential backoff for 5xx and network errors */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, maxWaitSeconds: 5, baseDelayMs: 200 };

/** Runs a provider call again on 429 (honouring Retry-After) and on 5xx / network errors, a few times. */
export async function withProviderRetry<T>(run: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof VideoProviderError) || !error.retryable || attempt >= policy.attempts) throw error;
      const retryAfter = error.extra.retryAfterSeconds;
      if (retryAfter !== undefined && retryAfter > policy.maxWaitSeconds) throw error;
      const backoff = policy.baseDelayMs * 2 ** (attempt - 1) * (1 + Math.random() * 0.2);
      await sleep(retryAfter !== undefined ? retryAfter * 1000 : backoff);
    }
  }
}

/** Retry-After as seconds (delta or HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null): number | undefined {
  const trimmed = value?.trim() ?? '';
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = trimmed ? Date.parse(trimmed) : Number.NaN;
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : undefined;
}

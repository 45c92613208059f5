import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { CalendarProviderName } from './calendar-provider.js';

/**
 * Spaces calls to each provider evenly so that a burst of syncs stays inside the provider's quota instead of
 * collecting 429s (an even spacing also never overshoots a fixed window). Per process: with several workers, give
 * each its share through the CALENDAR_*_RATE_LIMIT variables.
 */
@Injectable()
export class ProviderRateLimiter {
  private readonly nextSlot = new Map<string, number>();

  constructor(private readonly config: AppConfig) {}

  intervalMs(provider: CalendarProviderName): number {
    const { limit, windowSeconds } = this.config.calendar.rateLimits[provider];
    return (windowSeconds * 1000) / limit;
  }

  async acquire(provider: CalendarProviderName, signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot.get(provider) ?? 0);
    this.nextSlot.set(provider, slot + this.intervalMs(provider));
    const wait = slot - now;
    if (wait > 1) await new Promise<void>((resolve) => setTimeout(resolve, wait));
    signal?.throwIfAborted();
  }
}

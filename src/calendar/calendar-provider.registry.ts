import { AppException } from '../common/app-exception.js';
import { CALENDAR_PROVIDERS, type CalendarProvider, type CalendarProviderName } from './calendar-provider.js';

export function isCalendarProvider(name: string): name is CalendarProviderName {
  return (CALENDAR_PROVIDERS as readonly string[]).includes(name);
}

/** The calendar providers by name, built once by the module's factory. Unknown names are PROVIDER_NOT_SUPPORTED. */
export class CalendarProviderRegistry {
  private readonly byName = new Map<string, CalendarProvider>();

  constructor(providers: CalendarProvider[]) {
    for (const provider of providers) this.byName.set(provider.name, provider);
  }

  get(name: string): CalendarProvider {
    const provider = this.byName.get(name);
    if (!provider) throw new AppException('PROVIDER_NOT_SUPPORTED', `Calendar provider '${String(name).slice(0, 40)}' is not supported`);
    if (!provider.configured()) throw new AppException('PROVIDER_NOT_CONFIGURED', `${name} calendars are not configured on this server`);
    return provider;
  }
}

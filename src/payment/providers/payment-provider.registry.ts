import { Inject, Injectable } from '@nestjs/common';
import { AppException } from '../../common/app-exception.js';
import { PaymentProvider } from './payment-provider.js';

export const PAYMENT_PROVIDERS = Symbol('PAYMENT_PROVIDERS');

/** Every payment provider by name; the module's factory fills it. */
@Injectable()
export class PaymentProviderRegistry {
  private readonly byName: Map<string, PaymentProvider>;

  constructor(@Inject(PAYMENT_PROVIDERS) providers: PaymentProvider[]) {
    this.byName = new Map(providers.map((provider) => [provider.name, provider]));
  }

  get(name: string): PaymentProvider {
    const provider = this.byName.get(name);
    if (!provider) throw new AppException('PROVIDER_NOT_SUPPORTED', `Payment provider ${name} is not supported`);
    return provider;
  }
}

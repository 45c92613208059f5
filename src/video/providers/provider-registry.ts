import { Inject, Injectable } from '@nestjs/common';
import { providerNotSupported, VIDEO_PROVIDERS, type VideoProviderName } from '../video-errors.js';
import { VideoProvider } from './video-provider.js';

export const VIDEO_PROVIDER_LIST = Symbol('VIDEO_PROVIDER_LIST');

/** Every VideoProvider by name; an unknown name is PROVIDER_NOT_SUPPORTED. */
@Injectable()
export class VideoProviderRegistry {
  private readonly byName = new Map<string, VideoProvider>();

  constructor(@Inject(VIDEO_PROVIDER_LIST) providers: VideoProvider[]) {
    for (const provider of providers) this.byName.set(provider.name, provider);
  }

  get(name: string): VideoProvider {
    const provider = VIDEO_PROVIDERS.includes(name) ? this.byName.get(name) : undefined;
    if (!provider) throw providerNotSupported(name);
    return provider;
  }

  has(name: string): name is VideoProviderName {
    return this.byName.has(name);
  }
}

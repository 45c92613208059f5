import type { AppConfig } from '../../../config/app-config.js';

/** Real hosts unless ZOOM_API_BASE_URL points every Zoom path at one origin (gateway or sandbox). */
export function zoomUrls(config: AppConfig): { api: string; token: string } {
  const base = config.zoom.apiBaseUrl?.replace(/\/+$/, '');
  return base
    ? { api: `${base}/v2`, token: `${base}/oauth/token` }
    : { api: 'https://api.zoom.us/v2', token: 'https://zoom.us/oauth/token' };
}

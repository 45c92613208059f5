import { type ProviderFailureReason, VideoProviderError, VideoProviderName } from '../../video-errors.js';
import { retryAfterSeconds } from '../provider-retry.js';

/** Zoom's error body: {code, message}; `code` is Zoom's own number (124 token, 300 validation, 1001 user, 3001 meeting). */
export interface ZoomErrorBody {
  code?: number;
  message?: string;
}

const NOT_FOUND_CODES = new Set([1001, 3001, 3301]);

function reasonFor(status: number, body: ZoomErrorBody): ProviderFailureReason {
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'TEMPORARY';
  if (status === 401 || body.code === 124) return 'AUTH_REVOKED';
  if (status === 404 || (body.code !== undefined && NOT_FOUND_CODES.has(body.code))) return 'NOT_FOUND';
  if (status === 400 || status === 403 || status === 409 || status === 422) return 'INVALID_REQUEST';
  return 'UNKNOWN';
}

/** Turns a Zoom HTTP failure into our error: a reason the job layer acts on, Zoom's own code and message. */
export async function parseZoomError(response: Response): Promise<VideoProviderError> {
  const text = await response.text().catch(() => '');
  let body: ZoomErrorBody = {};
  try {
    body = JSON.parse(text) as ZoomErrorBody;
  } catch {
    // Zoom answers JSON; a proxy in between may not
  }
  const reason = reasonFor(response.status, body);
  const said = typeof body.message === 'string' ? body.message.slice(0, 300) : `HTTP ${response.status}`;
  return new VideoProviderError(VideoProviderName.Zoom, reason, `Zoom refused the request: ${said}`, {
    providerStatus: response.status,
    providerCode: body.code,
    retryAfterSeconds: response.status === 429 || response.status === 503 ? retryAfterSeconds(response.headers.get('retry-after')) : undefined,
  });
}

export function zoomNetworkError(cause: unknown): VideoProviderError {
  return new VideoProviderError(VideoProviderName.Zoom, 'TEMPORARY', 'Zoom could not be reached', { cause });
}

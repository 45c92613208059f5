/** Zoom's error body {code, message}; `code` is Zoom's own number (124 token, 300 validation, 3001 meeting, ...). */
import { ProviderHttpError } from '../core/server.js';

export function zoomError(status: number, code: number, message: string): ProviderHttpError {
  return new ProviderHttpError(status, { code, message });
}

export function zoomErrorForStatus(status: number, message: string) {
  if (status === 429) {
    return {
      body: {
        code: 429,
        message:
          'You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.',
      },
      headers: { 'x-ratelimit-category': 'Medium', 'x-ratelimit-type': 'Daily-limit' },
    };
  }
  return { body: { code: status, message } };
}

export const meetingNotFound = (id: string | number) => zoomError(404, 3001, `Meeting does not exist: ${id}.`);

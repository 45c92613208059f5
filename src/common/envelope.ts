import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, Observable } from 'rxjs';

/** The seed's success envelope. */
export interface SuccessEnvelope<T> {
  success: true;
  message?: string;
  data?: T;
}

/** The seed's error envelope. */
export interface ErrorEnvelope {
  success: false;
  message: string;
  code: string;
  details?: Record<string, unknown>;
  requestId?: string;
}

/** Returned by a handler that wants a `message` beside its data (the seed has several, e.g. on connect). */
export class ApiResult<T> {
  constructor(
    readonly data: T | undefined,
    readonly message?: string,
  ) {}
}

export function withMessage<T>(message: string, data?: T): ApiResult<T> {
  return new ApiResult(data, message);
}

const RAW_RESPONSE = 'app:raw-response';
/**
 * For the few endpoints whose body a provider dictates (e.g. Zoom's url_validation answer): no envelope.
 */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);

@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const raw = this.reflector.getAllAndOverride<boolean>(RAW_RESPONSE, [context.getHandler(), context.getClass()]);
    if (raw) return next.handle();
    return next.handle().pipe(
      map((value: unknown): SuccessEnvelope<unknown> => {
        if (value instanceof ApiResult) {
          return {
            success: true,
            ...(value.message === undefined ? {} : { message: value.message }),
            ...(value.data === undefined ? {} : { data: value.data }),
          };
        }
        return value === undefined ? { success: true } : { success: true, data: value };
      }),
    );
  }
}

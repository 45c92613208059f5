import { applyDecorators, HttpStatus, Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/** The seed's error envelope, as documented for every error response. */
export class ErrorEnvelopeDto {
  @ApiProperty({ example: false })
  success: false;

  @ApiProperty({ example: 'Validation failed: startTime must be an ISO 8601 instant' })
  message: string;

  @ApiProperty({ example: 'VALIDATION_ERROR', description: 'Stable machine-readable error code' })
  code: string;

  @ApiPropertyOptional({ description: 'Extra facts, e.g. the fields that failed validation' })
  details?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'The request id, also in the x-request-id header' })
  requestId?: string;
}

interface EnvelopeOptions {
  status?: HttpStatus;
  description?: string;
  isArray?: boolean;
  /** documents a `message` beside the data */
  message?: string;
}

/** Documents the seed's success envelope `{success, message?, data}` around `model`. */
export function ApiEnvelope(model: Type<unknown> | null, options: EnvelopeOptions = {}) {
  const data = model
    ? options.isArray
      ? { type: 'array', items: { $ref: getSchemaPath(model) } }
      : { $ref: getSchemaPath(model) }
    : undefined;
  return applyDecorators(
    ...(model ? [ApiExtraModels(model)] : []),
    ApiResponse({
      status: options.status ?? HttpStatus.OK,
      description: options.description ?? 'Success',
      schema: {
        type: 'object',
        required: ['success'],
        properties: {
          success: { type: 'boolean', example: true },
          ...(options.message ? { message: { type: 'string', example: options.message } } : {}),
          ...(data ? { data } : {}),
        },
      },
    }),
  );
}

const ERROR_DESCRIPTIONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Invalid request (VALIDATION_ERROR, INVALID_JSON or a module code)',
  [HttpStatus.NOT_FOUND]: 'Not found, or not yours (no existence leak)',
  [HttpStatus.CONFLICT]: 'Conflicts with the current state',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Body over the size limit',
  [HttpStatus.TOO_MANY_REQUESTS]: 'Rate limited (RATE_LIMITED)',
  [HttpStatus.BAD_GATEWAY]: 'The provider refused or failed',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Not ready, or the provider is not configured',
};

/** Documents error responses in the seed's envelope. */
export function ApiErrors(...statuses: HttpStatus[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_DESCRIPTIONS[status] ?? 'Error', type: ErrorEnvelopeDto }),
    ),
  );
}

import { Controller, HttpCode, HttpStatus, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../auth/roles.decorator.js';
import { RawResponse } from '../../common/envelope.js';
import { ZoomWebhookService } from './zoom-webhook.service.js';

@ApiTags('video')
@Controller('integrations/video/webhooks')
export class ZoomWebhookController {
  constructor(private readonly webhooks: ZoomWebhookService) {}

  /** Zoom dictates the url_validation answer, so this handler writes its own body (envelope for other events). */
  @Post('zoom')
  @Public()
  @RawResponse()
  @HttpCode(HttpStatus.OK)
  @ApiExcludeEndpoint(false)
  zoom(@Req() request: RawBodyRequest<FastifyRequest>) {
    return this.webhooks.receive(request.rawBody, request.headers);
  }
}

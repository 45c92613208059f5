import { Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Query, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Authenticated, Public } from '../auth/roles.decorator.js';
import { Role } from '../auth/users/user.entity.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger.js';
import { WebhookEventDto, WebhookEventIdParams, WebhookEventsQueryDto } from './dto/payment.dto.js';
import { PaymentWebhooksService } from './payment-webhooks.service.js';

@ApiTags('payments')
@Controller('integrations/payments/webhooks')
export class PaymentWebhooksController {
  constructor(private readonly webhooks: PaymentWebhooksService) {}

  /** Stripe calls this; the signature over the raw bytes is the authentication. */
  @Post('stripe')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Stripe webhook endpoint (called by Stripe)',
    description:
      'Verified with Stripe-Signature over the raw body (5-minute tolerance, every configured secret); stored once by event id, ' +
      'answered 200, processed in a job. A duplicate delivery is acknowledged and changes nothing.',
  })
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: 't=<unix>,v1=<hex HMAC-SHA256>' })
  @ApiEnvelope(null, { description: 'Stored (or a duplicate, acknowledged)' })
  @ApiErrors(HttpStatus.BAD_REQUEST)
  stripe(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('stripe-signature') signature?: string) {
    return this.webhooks.receive({ rawBody: req.rawBody, parsedBody: req.body, signature, receivedAt: new Date(), started: performance.now() });
  }

  @Get('events')
  @Authenticated(Role.Admin)
  @ApiEnvelope(WebhookEventDto, { isArray: true })
  @ApiErrors(HttpStatus.BAD_REQUEST)
  list(@Query() query: WebhookEventsQueryDto) {
    return this.webhooks.list(query);
  }

  @Post('events/:id/replay')
  @Authenticated(Role.Admin)
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiEnvelope(WebhookEventDto, { status: HttpStatus.ACCEPTED })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  replay(@Param() params: WebhookEventIdParams) {
    return this.webhooks.replay(params.id);
  }
}

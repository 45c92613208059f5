import { Body, Controller, Delete, Get, Headers, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { Authenticated, CurrentUser } from '../auth/roles.decorator.js';
import { Role } from '../auth/users/user.entity.js';
import { withMessage } from '../common/envelope.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger.js';
import {
  CanceledSubscriptionDto,
  CreatedSubscriptionDto,
  CreatePaymentIntentDto,
  CreateSubscriptionDto,
  HistoryDto,
  HistoryQueryDto,
  PaymentIntentDto,
  RefundDto,
  RefundResultDto,
  SessionPaymentDto,
  SubscriptionIdParams,
  SubscriptionsDto,
} from './dto/payment.dto.js';
import { PaymentService } from './payment.service.js';

const IdempotencyKey = () =>
  ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Repeat a request safely: same key + same body returns the first response' });

@ApiTags('payments')
@Controller('integrations/payments')
export class PaymentController {
  constructor(private readonly payments: PaymentService) {}

  @Post('sessions/:sessionId/intent')
  @Authenticated(Role.Client, Role.Admin)
  @IdempotencyKey()
  @ApiEnvelope(PaymentIntentDto, { status: HttpStatus.CREATED })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.UNPROCESSABLE_ENTITY, HttpStatus.BAD_GATEWAY)
  createIntent(
    @CurrentUser() user: AuthUser,
    @Param('sessionId', ParseUUIDPipe) sessionId: string,
    @Body() body: CreatePaymentIntentDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    return this.payments.createIntent(user, sessionId, body, idempotencyKey);
  }

  @Get('sessions/:sessionId')
  @Authenticated()
  @ApiEnvelope(SessionPaymentDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  sessionPayment(@CurrentUser() user: AuthUser, @Param('sessionId', ParseUUIDPipe) sessionId: string) {
    return this.payments.sessionPayment(user, sessionId);
  }

  @Post('sessions/:sessionId/refund')
  @Authenticated(Role.Therapist, Role.Admin)
  @IdempotencyKey()
  @ApiEnvelope(RefundResultDto, { status: HttpStatus.CREATED })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.BAD_GATEWAY)
  refund(
    @CurrentUser() user: AuthUser,
    @Param('sessionId', ParseUUIDPipe) sessionId: string,
    @Body() body: RefundDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    return this.payments.refund(user, sessionId, body, idempotencyKey);
  }

  @Post('subscriptions')
  @Authenticated(Role.Client)
  @IdempotencyKey()
  @ApiEnvelope(CreatedSubscriptionDto, { status: HttpStatus.CREATED })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.UNPROCESSABLE_ENTITY, HttpStatus.BAD_GATEWAY)
  createSubscription(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateSubscriptionDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    return this.payments.createSubscription(user, body, idempotencyKey);
  }

  @Get('subscriptions')
  @Authenticated()
  @ApiEnvelope(SubscriptionsDto)
  listSubscriptions(@CurrentUser() user: AuthUser) {
    return this.payments.listSubscriptions(user);
  }

  @Delete('subscriptions/:subscriptionId')
  @Authenticated()
  @ApiEnvelope(CanceledSubscriptionDto, { message: 'Subscription will be canceled at the end of the current period' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.BAD_GATEWAY)
  async cancelSubscription(@CurrentUser() user: AuthUser, @Param() params: SubscriptionIdParams) {
    return withMessage(
      'Subscription will be canceled at the end of the current period',
      await this.payments.cancelSubscription(user, params.subscriptionId),
    );
  }

  @Get('history')
  @Authenticated()
  @ApiEnvelope(HistoryDto)
  @ApiErrors(HttpStatus.BAD_REQUEST)
  history(@CurrentUser() user: AuthUser, @Query() query: HistoryQueryDto) {
    return this.payments.history(user, query);
  }
}

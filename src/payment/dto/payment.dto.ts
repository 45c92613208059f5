import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/pagination.js';

export class CreatePaymentIntentDto {
  /** Major units, e.g. 150.00 USD or 5000 JPY. Absent answers the seed's MISSING_AMOUNT. */
  @ApiProperty({ example: 150.0, description: 'Amount in major units of the currency (150.00 = USD 150)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  amount?: number;

  @ApiProperty({ example: 'usd', description: 'ISO 4217 code, any case' })
  @IsString()
  @Matches(/^[A-Za-z]{3}$/, { message: 'currency must be a three-letter ISO 4217 code' })
  currency: string;
}

export class PaymentIntentDto {
  @ApiProperty({ example: 'pi_1234567890_secret_abc123' })
  clientSecret: string;

  @ApiProperty({ example: 'pi_1234567890' })
  paymentIntentId: string;

  @ApiProperty({ example: 150.0 })
  amount: number;

  @ApiProperty({ example: 'usd' })
  currency: string;
}

export const SESSION_FREQUENCIES = ['weekly', 'biweekly', 'monthly'] as const;

export class CreateSubscriptionDto {
  @ApiProperty({ example: 'price_1234567890' })
  @IsString()
  @Matches(/^price_[A-Za-z0-9]{1,100}$/, { message: 'priceId must be a Stripe price id (price_...)' })
  priceId: string;

  @ApiProperty({ enum: SESSION_FREQUENCIES, example: 'weekly' })
  @IsIn(SESSION_FREQUENCIES)
  sessionFrequency: (typeof SESSION_FREQUENCIES)[number];

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  therapistId: string;
}

export class CreatedSubscriptionDto {
  @ApiProperty({ example: 'sub_1234567890' })
  subscriptionId: string;

  @ApiProperty({ example: 'pi_1234567890_secret_abc123', nullable: true })
  clientSecret: string | null;

  @ApiProperty({ example: 'incomplete' })
  status: string;
}

export class SubscriptionDto {
  @ApiProperty({ example: 'sub_1234567890' })
  subscriptionId: string;

  @ApiProperty({ example: 'active' })
  status: string;

  @ApiProperty({ example: 'price_1234567890' })
  priceId: string;

  @ApiProperty({ example: { therapistId: 'therapist_uuid', sessionFrequency: 'weekly' } })
  metadata: { therapistId: string | null; sessionFrequency: string };

  @ApiProperty()
  createdAt: string;

  @ApiProperty({ nullable: true })
  currentPeriodEnd: string | null;

  @ApiProperty()
  cancelAtPeriodEnd: boolean;
}

export class SubscriptionsDto {
  @ApiProperty({ type: SubscriptionDto, nullable: true, description: 'The most recent subscription of the caller' })
  subscription: SubscriptionDto | null;

  @ApiProperty({ type: [SubscriptionDto], description: 'All subscriptions of the caller, newest first' })
  subscriptions: SubscriptionDto[];
}

export class CanceledSubscriptionDto {
  @ApiProperty({ example: 'sub_1234567890' })
  subscriptionId: string;

  @ApiProperty({ nullable: true })
  cancelAt: string | null;
}

export class SubscriptionIdParams {
  @ApiProperty({ example: 'sub_1234567890' })
  @IsString()
  @Matches(/^sub_[A-Za-z0-9]{1,100}$/, { message: 'subscriptionId must be a Stripe subscription id (sub_...)' })
  subscriptionId: string;
}

export class HistoryQueryDto extends PageQueryDto {}

export class HistoryItemDto {
  @ApiProperty({ example: 'payment_succeeded' })
  eventType: string;

  @ApiProperty({ example: 150.0, nullable: true })
  amount: number | null;

  @ApiProperty({ example: 'usd', nullable: true })
  currency: string | null;

  @ApiProperty({ example: 'succeeded' })
  status: string;

  @ApiProperty({ example: { paymentIntentId: 'pi_1234567890', sessionId: 'session_uuid' } })
  metadata: Record<string, unknown>;

  @ApiProperty()
  createdAt: string;
}

export class HistoryDto {
  @ApiProperty({ type: [HistoryItemDto] })
  history: HistoryItemDto[];

  @ApiProperty({ nullable: true, description: 'Pass as ?cursor= for the next (older) page' })
  nextCursor: string | null;
}

export class RefundDto {
  @ApiPropertyOptional({ example: 50.0, description: 'Major units; omit for a full refund of what remains' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  amount?: number;
}

export class RefundResultDto {
  @ApiProperty({ example: 're_123' })
  refundId: string;

  @ApiProperty({ example: 50.0 })
  amount: number;

  @ApiProperty({ example: 'usd' })
  currency: string;

  @ApiProperty({ example: 'succeeded' })
  status: string;

  @ApiProperty({ example: 'partially_refunded' })
  paymentStatus: string;
}

export class SessionPaymentDto {
  @ApiProperty({ format: 'uuid' })
  sessionId: string;

  @ApiProperty({ enum: ['unpaid', 'pending', 'paid', 'partially_refunded', 'refunded'] })
  paymentStatus: string;

  @ApiProperty({ description: 'Payment intents of the session, newest first' })
  payments: Array<{ paymentIntentId: string; status: string; amount: number; currency: string; amountRefunded: number }>;
}

export class WebhookEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['received', 'processing', 'processed', 'failed', 'ignored'] })
  @IsOptional()
  @IsIn(['received', 'processing', 'processed', 'failed', 'ignored'])
  status?: string;
}

export class WebhookEventIdParams {
  @ApiProperty({ description: 'Our event id (uuid) or Stripe’s (evt_...)' })
  @IsString()
  @Length(1, 120)
  @Matches(/^(evt_[A-Za-z0-9]{1,100}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, {
    message: 'id must be an event uuid or a Stripe event id (evt_...)',
  })
  id: string;
}

export class WebhookEventDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'evt_123' })
  eventId: string;

  @ApiProperty({ example: 'payment_intent.succeeded' })
  type: string;

  @ApiProperty()
  status: string;

  @ApiProperty()
  attempts: number;

  @ApiProperty({ nullable: true })
  lastError: string | null;

  @ApiProperty()
  receivedAt: string;

  @ApiProperty({ nullable: true })
  processedAt: string | null;
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { IntegrationLogService } from '../audit/integration-log.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { canManage } from '../auth/ownership.js';
import { Role, User } from '../auth/users/user.entity.js';
import { AppException } from '../common/app-exception.js';
import { decodeCursor, encodeCursor } from '../common/pagination.js';
import { SecretBox } from '../connections/secret-box.js';
import { TherapySessionsService } from '../therapy-sessions/therapy-sessions.service.js';
import type {
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
  SubscriptionDto,
  SubscriptionsDto,
} from './dto/payment.dto.js';
import { IdempotencyService } from './idempotency.service.js';
import { fromMinorUnits, normalizeCurrency, toMinorUnits } from './money.js';
import { PaymentErrors } from './payment-errors.js';
import { PaymentLog } from './payment-log.entity.js';
import { PaymentStateService } from './payment-state.service.js';
import { Payment } from './payment.entity.js';
import { PaymentProviderError } from './providers/payment-provider.error.js';
import { PaymentProvider } from './providers/payment-provider.js';
import { SessionIntentLock } from './session-intent-lock.js';
import { StripeCustomer } from './stripe-customer.entity.js';
import { Subscription } from './subscription.entity.js';

/** Statuses a session may be paid from: nothing paid yet. */
const PAYABLE = new Set(['unpaid', 'pending']);

function intentView(id: string, clientSecret: string | null, amountMinor: number, currency: string): PaymentIntentDto {
  return { clientSecret: clientSecret ?? '', paymentIntentId: id, amount: fromMinorUnits(amountMinor, currency), currency };
}

function paymentInProgress(paymentIntentId: string, status: string): AppException {
  return new AppException(PaymentErrors.PAYMENT_IN_PROGRESS, 'A payment for this session is already under way', {
    status: HttpStatus.CONFLICT,
    details: { paymentIntentId, status },
  });
}

function rethrowAs(code: string) {
  return (error: unknown): never => {
    if (error instanceof PaymentProviderError) throw error.as(code);
    throw error;
  };
}

/** The payment use cases behind the controller: intents, subscriptions, refunds, history. */
@Injectable()
export class PaymentService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    @InjectRepository(Subscription) private readonly subscriptions: Repository<Subscription>,
    @InjectRepository(PaymentLog) private readonly logs: Repository<PaymentLog>,
    private readonly provider: PaymentProvider,
    private readonly sessions: TherapySessionsService,
    private readonly idempotency: IdempotencyService,
    private readonly state: PaymentStateService,
    private readonly audit: IntegrationLogService,
    private readonly intentLock: SessionIntentLock,
    private readonly box: SecretBox,
  ) {}

  /** Binds a sealed client secret to its intent, so a value copied to another row does not open there. */
  private static secretAad(provider: string, providerPaymentId: string): string {
    return `payment-client-secret:${provider}:${providerPaymentId}`;
  }

  private sealSecret(provider: string, providerPaymentId: string, secret: string | null): string | null {
    return secret === null ? null : this.box.encrypt(secret, PaymentService.secretAad(provider, providerPaymentId));
  }

  /** null when there is none or it cannot be opened (plain from before sealing, or a retired key): Stripe still has it. */
  private openSecret(payment: Payment): string | null {
    if (!payment.clientSecret) return null;
    try {
      return this.box.decrypt(payment.clientSecret, PaymentService.secretAad(payment.provider, payment.providerPaymentId));
    } catch {
      return null;
    }
  }

  async createIntent(user: AuthUser, sessionId: string, input: CreatePaymentIntentDto, idempotencyKey?: string): Promise<PaymentIntentDto> {
    const session = await this.sessions.get(user, sessionId);
    // The client pays for their own session; a therapist does not pay, an admin may act for the client.
    if (user.role === Role.Therapist) throw new AppException('FORBIDDEN', 'Only the client of the session or an admin can pay for it');
    if (input.amount === undefined || input.amount === null) throw new AppException('MISSING_AMOUNT', 'Payment amount is required');
    const currency = normalizeCurrency(input.currency);
    const amountMinor = toMinorUnits(input.amount, currency);
    const request = { userId: user.id, key: idempotencyKey, operation: `intent:${sessionId}`, body: input };
    // Serialized per session: whatever the Idempotency-Key, a session has at most one open intent at Stripe.
    return this.idempotency.run(request, () =>
      this.intentLock.run(sessionId, async () => {
        await this.assertPayable(sessionId);
        const open = await this.openIntentFor(sessionId, amountMinor, currency);
        if (open) return open;
        const client = await this.dataSource.getRepository(User).findOneByOrFail({ id: session.clientId });
        const customerId = await this.customerFor(client);
        const readAt = new Date();
        const pi = await this.audit
          .track({ userId: user.id, provider: this.provider.name, action: 'payment_intent.create', sessionId }, () =>
            this.provider.createPaymentIntent(
              { customerId, amountMinor, currency, metadata: { sessionId, payerId: client.id, therapistId: session.therapistId } },
              { idempotencyKey: IdempotencyService.providerKey(request, 'intent') },
            ),
          )
          .catch(rethrowAs('PAYMENT_INTENT_ERROR'));
        await this.dataSource.transaction(async (manager) => {
          await manager
            .createQueryBuilder()
            .insert()
            .into(Payment)
            .values({
              provider: this.provider.name,
              sessionId,
              payerId: client.id,
              therapistId: session.therapistId,
              clientId: session.clientId,
              providerPaymentId: pi.id,
              amountMinor: pi.amountMinor,
              currency: pi.currency,
              status: pi.status,
              clientSecret: this.sealSecret(this.provider.name, pi.id, pi.clientSecret),
              amountRefundedMinor: 0,
              syncedAt: readAt,
            })
            // Its webhook may have overtaken us and adopted the intent without the secret.
            .orUpdate(['client_secret'], ['provider_payment_id'])
            .execute();
          await this.state.updateSessionStatus(manager, sessionId);
        });
        return intentView(pi.id, pi.clientSecret, pi.amountMinor, pi.currency);
      }),
    );
  }

  /**
   * The session's open intent (not succeeded, not canceled) when it asks for the same amount and currency: the payer
   * gets it back instead of a second one they could also be charged through. With another amount or currency the old
   * intent is canceled at Stripe first, so a corrected amount is never stuck behind a typo; Stripe refuses to cancel an
   * intent already processing or paid, and then so do we (PAYMENT_IN_PROGRESS) rather than risk a second charge.
   */
  private async openIntentFor(sessionId: string, amountMinor: number, currency: string): Promise<PaymentIntentDto | null> {
    const open = await this.payments
      .createQueryBuilder('p')
      .addSelect('p.clientSecret')
      .where('p.session_id = :sessionId', { sessionId })
      .andWhere(`p.status NOT IN ('succeeded', 'canceled')`)
      .orderBy('p.created_at', 'DESC')
      .getMany();
    let reusable: PaymentIntentDto | null = null;
    for (const payment of open) {
      if (!reusable && payment.amountMinor === amountMinor && payment.currency === currency) {
        const secret = this.openSecret(payment);
        reusable = secret
          ? intentView(payment.providerPaymentId, secret, payment.amountMinor, payment.currency)
          : await this.refreshedIntent(payment);
        continue;
      }
      await this.cancelIntent(payment);
    }
    return reusable;
  }

  /** An open intent we hold no client secret for (adopted from a webhook): Stripe has it, and its current state. */
  private async refreshedIntent(payment: Payment): Promise<PaymentIntentDto | null> {
    const readAt = new Date();
    const pi = await this.provider.getPaymentIntent(payment.providerPaymentId).catch(rethrowAs('PAYMENT_INTENT_ERROR'));
    await this.state.applyPaymentIntent(this.provider.name, pi, readAt);
    if (pi.status === 'succeeded') await this.assertPayable(payment.sessionId);
    if (pi.status === 'canceled' || !pi.clientSecret) return null;
    return intentView(pi.id, pi.clientSecret, pi.amountMinor, pi.currency);
  }

  private async cancelIntent(payment: Payment): Promise<void> {
    // Stripe would cancel some processing intents, but the payer has already submitted that payment: keep it.
    if (payment.status === 'processing') throw paymentInProgress(payment.providerPaymentId, payment.status);
    const readAt = new Date();
    const action = { userId: payment.payerId, provider: this.provider.name, action: 'payment_intent.cancel', sessionId: payment.sessionId };
    try {
      const pi = await this.audit.track(action, () =>
        this.provider.cancelPaymentIntent(payment.providerPaymentId, { idempotencyKey: `cancel-intent:${payment.providerPaymentId}` }),
      );
      await this.state.applyPaymentIntent(this.provider.name, pi, readAt);
    } catch (error) {
      if (!(error instanceof PaymentProviderError) || error.failure !== 'INVALID_REQUEST') return rethrowAs('PAYMENT_INTENT_ERROR')(error);
      // Not cancelable any more: record what it became; paid means paid, anything else is a payment under way.
      const pi = await this.provider.getPaymentIntent(payment.providerPaymentId).catch(rethrowAs('PAYMENT_INTENT_ERROR'));
      await this.state.applyPaymentIntent(this.provider.name, pi, readAt);
      if (pi.status === 'canceled') return;
      await this.assertPayable(payment.sessionId);
      throw paymentInProgress(pi.id, pi.status);
    }
  }

  private async assertPayable(sessionId: string): Promise<void> {
    const [row] = (await this.dataSource.query(`SELECT payment_status FROM therapy_sessions WHERE id = $1`, [sessionId])) as Array<{
      payment_status: string;
    }>;
    if (row && !PAYABLE.has(row.payment_status)) {
      throw new AppException(PaymentErrors.SESSION_ALREADY_PAID, 'This session has already been paid', { status: HttpStatus.CONFLICT });
    }
  }

  /** One Stripe customer per user; the provider idempotency key makes a concurrent first payment create it once. */
  private async customerFor(user: Pick<User, 'id' | 'email'>): Promise<string> {
    const repo = this.dataSource.getRepository(StripeCustomer);
    const existing = await repo.findOneBy({ userId: user.id });
    if (existing) return existing.stripeCustomerId;
    const customerId = await this.audit
      .track({ userId: user.id, provider: this.provider.name, action: 'customer.create' }, () =>
        this.provider.createCustomer({ userId: user.id, email: user.email }, { idempotencyKey: `customer:${user.id}` }),
      )
      .catch(rethrowAs('PAYMENT_INTENT_ERROR'));
    await repo.createQueryBuilder().insert().values({ userId: user.id, stripeCustomerId: customerId }).orIgnore().execute();
    return (await repo.findOneByOrFail({ userId: user.id })).stripeCustomerId;
  }

  async createSubscription(user: AuthUser, input: CreateSubscriptionDto, idempotencyKey?: string): Promise<CreatedSubscriptionDto> {
    if (user.role !== Role.Client) throw new AppException('FORBIDDEN', 'Only clients subscribe to therapy plans');
    const users = this.dataSource.getRepository(User);
    const me = await users.findOneByOrFail({ id: user.id });
    // A client subscribes with their own therapist; anyone else reads as unknown.
    if (me.therapistId !== input.therapistId) throw new AppException('USER_NOT_FOUND', 'Therapist not found');
    const request = { userId: user.id, key: idempotencyKey, operation: 'subscription', body: input };
    return this.idempotency.run(request, async () => {
      const customerId = await this.customerFor(me);
      const readAt = new Date();
      const sub = await this.audit
        .track({ userId: user.id, provider: this.provider.name, action: 'subscription.create' }, () =>
          this.provider.createSubscription(
            {
              customerId,
              priceId: input.priceId,
              metadata: { userId: user.id, therapistId: input.therapistId, sessionFrequency: input.sessionFrequency },
            },
            { idempotencyKey: IdempotencyService.providerKey(request, 'subscription') },
          ),
        )
        .catch(rethrowAs('SUBSCRIPTION_ERROR'));
      await this.state.applySubscription(this.provider.name, sub, readAt);
      return { subscriptionId: sub.id, clientSecret: sub.clientSecret, status: sub.status };
    });
  }

  async listSubscriptions(user: AuthUser): Promise<SubscriptionsDto> {
    const rows = await this.subscriptions.find({ where: { userId: user.id }, order: { createdAt: 'DESC', id: 'DESC' }, take: 100 });
    const items = rows.map((row) => this.subscriptionView(row));
    const current = items.find((s) => s.status !== 'canceled' && s.status !== 'incomplete_expired') ?? items[0] ?? null;
    return { subscription: current, subscriptions: items };
  }

  private subscriptionView(row: Subscription): SubscriptionDto {
    return {
      subscriptionId: row.providerSubscriptionId,
      status: row.status,
      priceId: row.priceId,
      metadata: { therapistId: row.therapistId, sessionFrequency: row.sessionFrequency },
      createdAt: row.createdAt.toISOString(),
      currentPeriodEnd: row.currentPeriodEnd?.toISOString() ?? null,
      cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    };
  }

  async cancelSubscription(user: AuthUser, subscriptionId: string): Promise<CanceledSubscriptionDto> {
    const row = await this.subscriptions.findOneBy({ providerSubscriptionId: subscriptionId });
    if (!row || (user.role !== Role.Admin && row.userId !== user.id)) {
      throw new AppException(PaymentErrors.SUBSCRIPTION_NOT_FOUND, 'Subscription not found', { status: HttpStatus.NOT_FOUND });
    }
    if (row.status === 'canceled' || row.status === 'incomplete_expired') {
      throw new AppException('INVALID_SESSION_STATE', 'This subscription has already ended', { status: HttpStatus.CONFLICT });
    }
    const readAt = new Date();
    const sub = await this.audit
      .track({ userId: user.id, provider: this.provider.name, action: 'subscription.cancel' }, () =>
        this.provider.cancelSubscriptionAtPeriodEnd(subscriptionId, { idempotencyKey: `cancel:${subscriptionId}` }),
      )
      .catch(rethrowAs('SUBSCRIPTION_ERROR'));
    await this.state.applySubscription(this.provider.name, sub, readAt);
    return { subscriptionId: sub.id, cancelAt: (sub.cancelAt ?? sub.currentPeriodEnd)?.toISOString() ?? null };
  }

  async history(user: AuthUser, query: HistoryQueryDto): Promise<HistoryDto> {
    const limit = query.limit ?? 50;
    const builder = this.logs.createQueryBuilder('l').orderBy('l.created_at', 'DESC').addOrderBy('l.id', 'DESC');
    if (user.role === Role.Client) builder.andWhere('l.user_id = :me', { me: user.id });
    if (user.role === Role.Therapist) builder.andWhere('l.therapist_id = :me', { me: user.id });
    if (query.cursor) {
      const position = decodeCursor(query.cursor);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(position.value) || !/^[0-9a-f-]{36}$/.test(position.id)) {
        throw new AppException('VALIDATION_ERROR', 'cursor is not a cursor this API issued');
      }
      builder.andWhere('(l.created_at, l.id) < (:before, :beforeId)', { before: position.value, beforeId: position.id });
    }
    const rows = await builder.take(limit + 1).getMany();
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      history: items.map((row) => ({
        eventType: row.eventType,
        amount: row.amountMinor === null || !row.currency ? null : fromMinorUnits(row.amountMinor, row.currency),
        currency: row.currency,
        status: row.status,
        metadata: row.metadata,
        createdAt: row.createdAt.toISOString(),
      })),
      // created_at keeps microseconds in PostgreSQL: the cursor carries them so no row is skipped or repeated.
      nextCursor: rows.length > limit && last ? encodeCursor({ value: await this.preciseCreatedAt(last.id), id: last.id }) : null,
    };
  }

  private async preciseCreatedAt(id: string): Promise<string> {
    const [row] = (await this.dataSource.query(`SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM payment_logs WHERE id = $1`, [id])) as Array<{ at: string }>;
    return row.at;
  }

  async sessionPayment(user: AuthUser, sessionId: string): Promise<SessionPaymentDto> {
    await this.sessions.get(user, sessionId);
    const [row] = (await this.dataSource.query(`SELECT payment_status FROM therapy_sessions WHERE id = $1`, [sessionId])) as Array<{
      payment_status: string;
    }>;
    const payments = await this.payments.find({ where: { sessionId }, order: { createdAt: 'DESC' } });
    return {
      sessionId,
      paymentStatus: row.payment_status,
      payments: payments.map((p) => ({
        paymentIntentId: p.providerPaymentId,
        status: p.status,
        amount: fromMinorUnits(p.amountMinor, p.currency),
        currency: p.currency,
        amountRefunded: fromMinorUnits(p.amountRefundedMinor, p.currency),
      })),
    };
  }

  async refund(user: AuthUser, sessionId: string, input: RefundDto, idempotencyKey?: string): Promise<RefundResultDto> {
    const session = await this.sessions.get(user, sessionId);
    if (!canManage(user, session)) throw new AppException('FORBIDDEN', 'Only the therapist of the session or an admin can refund it');
    const paid = await this.payments.findOneBy({ sessionId, status: 'succeeded' });
    if (!paid || paid.amountRefundedMinor >= paid.amountMinor) {
      throw new AppException(PaymentErrors.SESSION_NOT_PAID, 'This session has no payment left to refund', { status: HttpStatus.CONFLICT });
    }
    const remaining = paid.amountMinor - paid.amountRefundedMinor;
    const amountMinor = input.amount === undefined ? undefined : toMinorUnits(input.amount, paid.currency, { minimum: false });
    if (amountMinor !== undefined && amountMinor > remaining) {
      throw new AppException(PaymentErrors.INVALID_AMOUNT, `At most ${fromMinorUnits(remaining, paid.currency)} ${paid.currency.toUpperCase()} can be refunded`, {
        status: HttpStatus.BAD_REQUEST,
      });
    }
    const request = { userId: user.id, key: idempotencyKey, operation: `refund:${sessionId}`, body: input };
    return this.idempotency.run(request, async () => {
      const refund = await this.audit
        .track({ userId: user.id, provider: this.provider.name, action: 'refund.create', sessionId }, () =>
          this.provider.refund(
            { paymentIntentId: paid.providerPaymentId, amountMinor },
            { idempotencyKey: IdempotencyService.providerKey(request, 'refund') },
          ),
        )
        .catch(rethrowAs(PaymentErrors.REFUND_ERROR));
      // Re-read the intent so the session reflects the refund now, not only when the webhook arrives.
      const readAt = new Date();
      const pi = await this.provider.getPaymentIntent(paid.providerPaymentId).catch(rethrowAs(PaymentErrors.REFUND_ERROR));
      await this.state.applyPaymentIntent(this.provider.name, pi, readAt);
      const [row] = (await this.dataSource.query(`SELECT payment_status FROM therapy_sessions WHERE id = $1`, [sessionId])) as Array<{
        payment_status: string;
      }>;
      return {
        refundId: refund.id,
        amount: fromMinorUnits(refund.amountMinor, refund.currency),
        currency: refund.currency,
        status: refund.status,
        paymentStatus: row.payment_status,
      };
    });
  }
}

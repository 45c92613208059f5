import { Module } from '@nestjs/common';

/** Placeholder wired into AppModule; its owner fills it in. */
@Module({})
export class PaymentModule {}

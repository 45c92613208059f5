import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TherapySession } from './therapy-session.entity.js';
import { TherapySessionsController } from './therapy-sessions.controller.js';
import { TherapySessionsService } from './therapy-sessions.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([TherapySession])],
  controllers: [TherapySessionsController],
  providers: [TherapySessionsService],
  exports: [TherapySessionsService],
})
export class TherapySessionsModule {}

import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CalendarModule } from './calendar/calendar.module.js';
import { LoggingModule } from './common/logging.module.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { ConnectionsModule } from './connections/connections.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { JobsModule } from './jobs/index.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { PaymentModule } from './payment/payment.module.js';
import { TherapySessionsModule } from './therapy-sessions/therapy-sessions.module.js';
import { VideoModule } from './video/video.module.js';

export type AppRole = 'api' | 'worker';

export interface AppModuleOptions {
  config: AppConfig;
  /** resolved by main.ts / worker.ts: DATABASE_URL or the embedded cluster */
  databaseUrl: string;
  role: AppRole;
}

@Module({})
export class AppModule {
  static register({ config, databaseUrl, role }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forConfig(config),
        LoggingModule,
        DatabaseModule.forUrl(databaseUrl, { poolSize: config.database.poolSize, applicationName: `teletherapy-${role}` }),
        EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false }),
        JobsModule.forRootAsync({
          useFactory: () => ({
            connectionString: databaseUrl,
            // The worker role always works jobs; the API too when WORKER_INLINE=true (the default for npm start).
            runWorkers: role === 'worker' || config.workerInline,
          }),
        }),
        AuditModule,
        AuthModule,
        TherapySessionsModule,
        HealthModule,
        ConnectionsModule,
        NotificationsModule,
        CalendarModule,
        PaymentModule,
        VideoModule,
      ],
    };
  }
}

import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IntegrationLog } from './integration-log.entity.js';
import { IntegrationLogService } from './integration-log.service.js';
import { PhiAccessLog } from './phi-access-log.entity.js';
import { PhiAccessService } from './phi-access.service.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([IntegrationLog, PhiAccessLog])],
  providers: [IntegrationLogService, PhiAccessService],
  exports: [IntegrationLogService, PhiAccessService],
})
export class AuditModule {}

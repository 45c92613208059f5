import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger.js';
import { migrationsUpToDate } from '../database/data-source.js';
import { HttpStatus } from '@nestjs/common';

@ApiTags('Health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiEnvelope(null)
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the database answers and every migration is applied' })
  @ApiEnvelope(null)
  @ApiErrors(HttpStatus.SERVICE_UNAVAILABLE)
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      async () => {
        const indicator = this.indicators.check('migrations');
        try {
          return (await migrationsUpToDate(this.dataSource)) ? indicator.up() : indicator.down({ pending: true });
        } catch {
          return indicator.down({ reachable: false });
        }
      },
    ]);
  }
}

import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { UsersService } from './users/users.service.js';

/** Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD (or the sandbox defaults outside production). */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.auth.admin;
    if (!admin) {
      this.logger.warn('ADMIN_EMAIL / ADMIN_PASSWORD not set: no admin account is created');
      return;
    }
    const created = await this.users.ensureAdmin(admin.email, admin.password);
    if (admin.isSandboxDefault) {
      // Printed on purpose: a development convenience that production (which has no such default) never does.
      this.logger.log(`Sandbox admin: ${admin.email} / ${admin.password} (set ADMIN_EMAIL and ADMIN_PASSWORD to change)`);
    } else if (created) {
      this.logger.log(`Created the first admin account ${admin.email}`);
    }
  }
}

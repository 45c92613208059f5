import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { PhiAccessLog } from './phi-access-log.entity.js';

export interface PhiAccess {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  sessionId?: string | null;
  requestId?: string | null;
}

/** The access trail for protected health information: written before the data is returned. */
@Injectable()
export class PhiAccessService {
  constructor(@InjectRepository(PhiAccessLog) private readonly trail: Repository<PhiAccessLog>) {}

  async record(actor: AuthUser, access: PhiAccess): Promise<void> {
    await this.trail.insert({
      actorId: actor.id,
      actorRole: actor.role,
      action: access.action,
      resourceType: access.resourceType,
      resourceId: access.resourceId ?? null,
      sessionId: access.sessionId ?? null,
      requestId: access.requestId ?? null,
    });
  }
}

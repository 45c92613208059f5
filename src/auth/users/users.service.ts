import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { AppException } from '../../common/app-exception.js';
import type { AuthUser } from '../auth-user.js';
import { hashPassword } from '../password.js';
import { CreateUserDto } from './user.dto.js';
import { Role, User } from './user.entity.js';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  async create(input: CreateUserDto): Promise<User> {
    if (input.therapistId !== undefined) {
      if (input.role !== Role.Client) {
        throw new AppException('VALIDATION_ERROR', 'therapistId is only for clients');
      }
      const therapist = await this.users.findOneBy({ id: input.therapistId, role: Role.Therapist });
      if (!therapist) throw new AppException('USER_NOT_FOUND', 'Therapist not found');
    }
    try {
      return await this.users.save(
        this.users.create({
          email: input.email,
          name: input.name,
          role: input.role,
          timeZone: input.timeZone,
          therapistId: input.therapistId ?? null,
          passwordHash: await hashPassword(input.password),
        }),
      );
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new AppException('EMAIL_TAKEN', 'A user with this email already exists', { status: HttpStatus.CONFLICT });
      }
      throw error;
    }
  }

  /** With the password hash, for login only. Email match is case-insensitive, as the unique index. */
  findForLogin(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('lower(user.email) = lower(:email)', { email })
      .getOne();
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async get(id: string): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new AppException('USER_NOT_FOUND', 'User not found');
    return user;
  }

  /** Admins see everyone; therapists their own clients. */
  list(viewer: AuthUser): Promise<User[]> {
    const where = viewer.role === Role.Admin ? {} : { therapistId: viewer.id, role: Role.Client };
    return this.users.find({ where, order: { createdAt: 'ASC' }, take: 500 });
  }

  async ensureAdmin(email: string, password: string): Promise<boolean> {
    if (await this.findForLogin(email)) return false;
    await this.create({ email, name: 'Administrator', role: Role.Admin, timeZone: 'UTC', password });
    return true;
  }
}
